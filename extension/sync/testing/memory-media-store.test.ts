import { describeMediaStoreContract } from './media-store-contract';
import { MemoryMediaStore } from './memory-media-store';

describeMediaStoreContract('memory', () => {
  const store = new MemoryMediaStore();
  return {
    store,
    addScreenshot: (row, bytes) => Promise.resolve(store.addScreenshot(row, bytes)),
    addChunk: (kind, row, bytes) => Promise.resolve(store.addChunk(kind, row, bytes)),
    setAck: (sessionId, ackedThrough, closed) => Promise.resolve(store.setAck(sessionId, ackedThrough, closed)),
  };
});
