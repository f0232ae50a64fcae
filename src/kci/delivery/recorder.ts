import type { Logger } from 'pino';
import type { Db } from '../../store/database.js';
import { recordOutcomes, type DeliveryOutcome } from '../outbox.js';

/**
 * Records delivery outcomes by group commit: the outcomes gathered so far go in one statement, one statement
 * at a time; outcomes that come in while one is being written wait and go together in the next. After each
 * statement `recorded()` runs (the worker claims again: a delivered KCI frees its order's next one).
 */
export class OutcomeRecorder {
  private outcomes: DeliveryOutcome[] = [];
  private scheduled = false;
  private active = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly engine: 'pglite' | 'postgres' | undefined,
    private readonly recorded: () => void,
  ) {}

  /** Queues one outcome; it is written on the next turn of the event loop, with any that come meanwhile. */
  add(o: DeliveryOutcome): void {
    this.outcomes.push(o);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Resolves when every outcome queued so far is written (or its write failed and was logged). */
  async drain(): Promise<void> {
    while (this.active || this.outcomes.length) {
      this.flush();
      await this.writing;
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.active || !this.outcomes.length) return;
    this.active = true;
    const batch = this.outcomes.splice(0);
    this.writing = recordOutcomes(this.db, batch, this.engine)
      .catch((e) =>
        this.log.error(
          { err: e, kcis: batch.length },
          'recording KCI outcomes failed; their leases expire and they are delivered again',
        ),
      )
      .then(() => {
        this.active = false;
        this.flush();
        this.recorded();
      });
  }
}
