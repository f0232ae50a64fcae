/** A tenant request the tables cannot translate. Each message names the field and what is allowed. */
export class TranslationError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
  }
}

/** Collects problems so a tenant sees all of them at once. */
export class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  throwIfAny(): void {
    if (this.list.length) throw new TranslationError(this.list);
  }
}
