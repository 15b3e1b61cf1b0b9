/**
 * The one way a zod schema's verdict becomes the details of a 422: every issue as a JSON pointer and a
 * reason, and an unknown key reported at the key itself, not at the object that holds it.
 */
import type { z } from 'zod';
import { jsonPointer, type ProblemDetail } from './errors.ts';

export function zodProblems(issues: readonly z.core.$ZodIssue[]): ProblemDetail[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ pointer: jsonPointer([...i.path, k]), reason: `unknown property '${k}'` }))
      : [{ pointer: jsonPointer(i.path), reason: i.message }],
  );
}
