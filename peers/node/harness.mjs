// What both peer scripts share: named checks that record pass/fail and go on, and readable errors
// from openid-client. The summary line each script prints is read by its JUnit test.
import * as client from 'openid-client';

export const passed = [];
export const failed = [];

export async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed.push(name);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    const error = describe(err);
    failed.push({ name, error });
    console.log(`FAIL ${name}: ${error}`);
  }
}

export function describe(err) {
  if (err instanceof client.ResponseBodyError) {
    return `ResponseBodyError ${err.status} ${err.error}: ${err.error_description ?? ''}`;
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    return `WWWAuthenticateChallengeError ${err.status} ${JSON.stringify(err.cause)}`;
  }
  if (err instanceof client.AuthorizationResponseError) {
    return `AuthorizationResponseError ${err.error}: ${err.error_description ?? ''}`;
  }
  const cause = err?.cause instanceof Error ? ` (cause: ${err.cause.message})` : '';
  return `${err?.name ?? 'Error'}: ${err?.message ?? err}${cause}`;
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
