/**
 * The one way the code base says "it worked, or here is why not". Success and failure are told apart by
 * `ok` and nothing else; a failure always carries an `error` value (usually a {@link Failure}).
 */
export type Result<T, E = Failure> = Ok<T> | Err<E>;

/** A success carrying its value. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/** A failure carrying why. */
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

/** The usual failure: a machine-readable code and a message a person can act on. */
export interface Failure<C extends string = string> {
  readonly code: C;
  readonly message: string;
}

/** Wraps a value as a success. */
export function ok<T>(value: T): Ok<T>;
export function ok(): Ok<undefined>;
export function ok<T>(value?: T): Ok<T | undefined> {
  return { ok: true, value };
}

/** Wraps a reason as a failure. */
export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

/** Shorthand for the usual failure, `err({ code, message })`. */
export function fail<C extends string>(code: C, message: string): Err<Failure<C>> {
  return { ok: false, error: { code, message } };
}
