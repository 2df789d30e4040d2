import { describe, expect, it } from 'vitest';
import { createOnlineWatch } from './online-watch';

describe('createOnlineWatch', () => {
  it('reports each offline → online transition once', () => {
    const samples = [true, true, false, false, true, true, false, true];
    let i = 0;
    const watch = createOnlineWatch(() => samples[i]!);
    const seen: boolean[] = [];
    for (i = 1; i < samples.length; i++) seen.push(watch.cameOnline());
    expect(seen).toEqual([false, false, false, true, false, false, true]);
  });

  it('reports nothing when it starts online and stays online', () => {
    const watch = createOnlineWatch(() => true);
    expect([watch.cameOnline(), watch.cameOnline()]).toEqual([false, false]);
  });

  it('reports the return when it starts offline', () => {
    let online = false;
    const watch = createOnlineWatch(() => online);
    expect(watch.cameOnline()).toBe(false);
    online = true;
    expect(watch.cameOnline()).toBe(true);
    expect(watch.cameOnline()).toBe(false);
  });
});
