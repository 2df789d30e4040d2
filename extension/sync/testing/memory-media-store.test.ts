import { describeMediaStoreContract } from './media-store-contract';
import { MemoryMediaStore } from './memory-media-store';

describeMediaStoreContract('memory', async () => {
  const store = new MemoryMediaStore();
  return {
    store,
    addScreenshot: async (row, bytes) => store.addScreenshot(row, bytes),
    addAudioChunk: async (row, bytes) => store.addAudioChunk(row, bytes),
    setAck: async (sessionId, ackedThrough, closed) => store.setAck(sessionId, ackedThrough, closed),
  };
});
