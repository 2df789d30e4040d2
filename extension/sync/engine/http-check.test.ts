import { describe, expect, it } from 'vitest';
import { startHttpCheck } from './http-check';
import { ScriptedTransport } from '../testing/scripted-transport';

describe('startHttpCheck', () => {
  it('HTTP answers: works, and the transport is closed again for its next user', () => {
    const http = new ScriptedTransport('http');
    const answers: boolean[] = [];
    startHttpCheck(http, (works) => answers.push(works));
    expect(answers).toEqual([true]);
    expect(http.connects).toBe(1);
    expect(http.isOpen).toBe(false);
    expect(http.closes).toEqual(['http check done']);
  });

  it('HTTP fails too: does not work', () => {
    const http = new ScriptedTransport('http');
    http.autoOpen = false;
    const answers: boolean[] = [];
    startHttpCheck(http, (works) => answers.push(works));
    expect(answers).toEqual([]);
    http.fail('cannot reach the server');
    expect(answers).toEqual([false]);
  });

  it('answers once, and not at all once cancelled', () => {
    const http = new ScriptedTransport('http');
    http.autoOpen = false;
    const answers: boolean[] = [];
    const cancel = startHttpCheck(http, (works) => answers.push(works));
    cancel();
    http.open();
    http.fail();
    expect(answers).toEqual([]);
    expect(http.closes).toEqual(['http check cancelled']);

    const again = new ScriptedTransport('http');
    again.autoOpen = false;
    startHttpCheck(again, (works) => answers.push(works));
    again.fail();
    again.open();
    expect(answers).toEqual([false]);
  });
});
