import { ApiError } from './api';

/** What a refused sign-in tells the admin: wrong credentials, a lock-out with its wait, or a busy server. */
export function signInErrorText(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The server could not be reached.';
  if (error.status === 401) return 'Wrong user name or password.';
  if (error.status === 429) {
    const minutes = error.retryAfterSeconds === null ? null : Math.ceil(error.retryAfterSeconds / 60);
    return `Too many failed attempts: sign-in is locked${minutes === null ? '' : ` for ${minutes} more minute${minutes === 1 ? '' : 's'}`}.`;
  }
  if (error.status === 503) return 'The server is busy; try again in a moment.';
  return error.message;
}
