import { IngestActivity } from '../../src/ksus/ingest-activity.js';

describe('IngestActivity (ingest first)', () => {
  it('is busy only while busyAt updates arrived within the window', () => {
    let now = 1000;
    const a = new IngestActivity(3, 100, 1000, () => now);
    expect(a.busy).toBe(false);
    a.arrived();
    a.arrived();
    expect(a.busy).toBe(false); // two in the window: a steady trickle
    a.arrived();
    expect(a.busy).toBe(true); // three within 100 ms: a burst
    now += 100;
    expect(a.busy).toBe(false); // the window has moved past them
    a.arrived();
    expect(a.busy).toBe(false); // one recent arrival is not a burst
  });

  it('lets the applier through at once when receiving is quiet', async () => {
    const a = new IngestActivity(3, 100, 60_000);
    let through = false;
    const p = a.whenQuiet().then(() => (through = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(through).toBe(true);
    await p;
  });

  it('holds the applier while the burst lasts, then lets it through', async () => {
    let now = 0;
    const a = new IngestActivity(2, 100, 60_000, () => now);
    a.arrived();
    a.arrived();
    let through = false;
    const p = a.whenQuiet().then(() => (through = true));
    await new Promise((r) => setTimeout(r, 60)); // two of its checks pass while the clock stands still
    expect(through).toBe(false);
    now = 100; // the burst is over
    await p;
    expect(through).toBe(true);
  });

  it('never holds the applier longer than maxWaitMs, however long a flood lasts', async () => {
    const a = new IngestActivity(1, 60_000, 30);
    const flood = setInterval(() => a.arrived(), 1);
    a.arrived();
    try {
      expect(a.busy).toBe(true);
      await a.whenQuiet(); // resolves although the flood goes on (a hang fails the test by its timeout)
      expect(a.busy).toBe(true);
    } finally {
      clearInterval(flood);
    }
  });
});
