import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { EventQueue, newQueueItem } from '../src/core/event-queue.js';

describe('EventQueue', () => {
  test.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 400 })])(
    'pops in (time, insertion) order under interleaved pushes and pops',
    (ops) => {
      const q = new EventQueue();
      const model: { t: number; seq: number }[] = [];
      let seq = 0;
      let now = 0;
      const item = newQueueItem();
      for (const [dt, doPop] of ops) {
        if (doPop && model.length > 0) {
          model.sort((a, b) => a.t - b.t || a.seq - b.seq);
          const want = model.shift()!;
          expect(q.pop(item)).toBe(true);
          expect([item.tNs, item.arg]).toEqual([want.t, want.seq]);
          now = item.tNs;
        } else {
          // Like the simulator: never schedule in the past.
          q.push(now + dt, 7, 3, seq, 0, 0);
          model.push({ t: now + dt, seq: seq++ });
        }
      }
      model.sort((a, b) => a.t - b.t || a.seq - b.seq);
      for (const want of model) {
        expect(q.pop(item)).toBe(true);
        expect([item.tNs, item.arg, item.action, item.cpu]).toEqual([want.t, want.seq, 7, 3]);
      }
      expect(q.pop(item)).toBe(false);
      expect(q.size).toBe(0);
    },
  );

  test('grows past its initial capacity and keeps the payload', () => {
    const q = new EventQueue();
    for (let i = 0; i < 5000; i++) q.push(5000 - i, i % 19, i % 7, i, i * 2, i % 3);
    const item = newQueueItem();
    for (let i = 4999; i >= 0; i--) {
      q.pop(item);
      expect([item.tNs, item.action, item.cpu, item.arg, item.gen, item.flags]).toEqual([5000 - i, i % 19, i % 7, i, i * 2, i % 3]);
    }
  });

  test('rejects a non-integer or negative time', () => {
    const q = new EventQueue();
    expect(() => q.push(1.5, 0, 0, 0, 0, 0)).toThrow(/queue time/);
    expect(() => q.push(-1, 0, 0, 0, 0, 0)).toThrow(/queue time/);
  });
});
