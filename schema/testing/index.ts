/** Test support shared by every package: sample events and sessions, and the fake clock. */
export * from './events';
export * from './fake-clock';
