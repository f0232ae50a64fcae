/**
 * What can go wrong in a use case, in the connector's words. Only src/http/errors.ts turns these into
 * HTTP statuses and the contract's `{uuid, code, messages}` body; the use cases never name a status.
 */
export type DomainErrorKind = 'invalid' | 'not-found' | 'not-entitled' | 'conflict' | 'unprocessable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

/** The request cannot be carried out as written (a field is missing, a value is outside its table). */
export class InvalidRequest extends DomainError {
  constructor(messages: string[]) {
    super('invalid', messages);
  }
}

/** The thing named does not exist for this tenant (another tenant's is not found either). */
export class NotFound extends DomainError {
  constructor(what: string) {
    super('not-found', [`${what} not found`]);
  }
}

/** The tenant may not use this (a supplier it has no account with). */
export class NotEntitled extends DomainError {
  constructor(message: string) {
    super('not-entitled', [message]);
  }
}

/** Another request is still being handled (try again later). */
export class Conflict extends DomainError {
  constructor(message: string) {
    super('conflict', [message]);
  }
}

/** Well formed, but not now: the order's state (or a reservation's) does not allow it. */
export class Unprocessable extends DomainError {
  constructor(...messages: string[]) {
    super('unprocessable', messages);
  }
}

/** Collects problems so a tenant sees all of them at once; each message names the field and what is allowed. */
export class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  throwIfAny(): void {
    if (this.list.length) throw new InvalidRequest(this.list);
  }
}
