/**
 * Results remembered while one event's element is described. A click's description asks the same
 * questions of the same elements several times: the CSS selector, the path that excludes the element in
 * uniqueness checks and the XPath walk the same ancestors; the accessible name, the visible text and the
 * text selector read the same text; the target, its selectors and its context each ask whether it lies
 * in a private block. No page code runs while one description is built, so the answers cannot change
 * within it; between two descriptions a page may move nodes or rewrite text, even within one task, so
 * nothing is kept past the scope.
 */

let scope: Map<object, Map<string, unknown>> | undefined;

/** Runs `describe` with answers remembered for its duration; nested calls share the outer scope. */
export function withDescribeScope<T>(describe: () => T): T {
  if (scope) return describe();
  scope = new Map();
  try {
    return describe();
  } finally {
    scope = undefined;
  }
}

/** `compute()`, remembered per `owner` and `key` within the current scope; computed anew outside one. */
export function remembered<T>(owner: object, key: string, compute: () => T): T {
  if (!scope) return compute();
  let answers = scope.get(owner);
  if (!answers) scope.set(owner, (answers = new Map<string, unknown>()));
  if (answers.has(key)) return answers.get(key) as T;
  const value = compute();
  answers.set(key, value);
  return value;
}
