import { CoalescingLoop } from '../../src/platform/coalescing-loop.js';

/** The shared background-loop helper: kicks while a round runs cost exactly one more round, never a burst. */
describe('CoalescingLoop', () => {
  function gatedPass() {
    const gates: (() => void)[] = [];
    let passes = 0;
    const pass = () =>
      new Promise<void>((resolve) => {
        passes += 1;
        gates.push(resolve);
      });
    return { pass, gates, count: () => passes };
  }
  const settle = () => new Promise((r) => setImmediate(r));

  it('runs once per kick when idle, and once more for any number of kicks that came while it ran', async () => {
    const g = gatedPass();
    const loop = new CoalescingLoop(g.pass, () => {});
    loop.kick();
    expect(g.count()).toBe(1);
    for (let i = 0; i < 50; i++) loop.kick();
    expect(g.count()).toBe(1);
    g.gates.shift()!();
    await settle();
    expect(g.count()).toBe(2); // the 50 kicks: one more round
    g.gates.shift()!();
    await settle();
    expect(g.count()).toBe(2); // nothing came meanwhile: idle
    loop.kick();
    expect(g.count()).toBe(3);
    g.gates.shift()!();
    await loop.drain();
  });

  it('starts its loops side by side and waits for all of them before the next round', async () => {
    const g = gatedPass();
    const loop = new CoalescingLoop(g.pass, () => {}, 3);
    loop.kick();
    expect(g.count()).toBe(3);
    loop.kick();
    g.gates.shift()!();
    g.gates.shift()!();
    await settle();
    expect(g.count()).toBe(3); // one loop still runs
    g.gates.shift()!();
    await settle();
    expect(g.count()).toBe(6);
    g.gates.splice(0).forEach((open) => open());
    await loop.drain();
  });

  it('reports a failed round, keeps going, and after drain takes no more kicks', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const loop = new CoalescingLoop(
      async () => {
        n += 1;
        if (n === 1) throw new Error('boom');
      },
      (e) => errors.push(e),
    );
    loop.kick();
    await settle();
    expect(errors).toHaveLength(1);
    loop.kick();
    await settle();
    expect(n).toBe(2);
    await loop.drain();
    expect(loop.stopping).toBe(true);
    loop.kick();
    expect(n).toBe(2);
  });
});
