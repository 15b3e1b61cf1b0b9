/**
 * Test helper: validates ESPA-X documents against test/fixtures/espax/espa-x.xsd with xmllint
 * (Debian libxml2-utils), all in one call: the documents are written to a temporary folder and
 * xmllint gets every file. Missing xmllint is an error (the test fails, never skips).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ESPAX_XSD = fileURLToPath(new URL('../fixtures/espax/espa-x.xsd', import.meta.url));

export interface SchemaFailure {
  readonly index: number;
  readonly document: string;
  readonly errors: string;
}

/**
 * The documents that do not validate, with xmllint's complaint (empty: all valid). Throws when
 * xmllint cannot be run, with a message that says how to install it.
 */
export function schemaFailures(documents: readonly string[]): SchemaFailure[] {
  if (documents.length === 0) return [];
  const dir = mkdtempSync(path.join(tmpdir(), 'espax-xsd-'));
  try {
    const files = documents.map((d, i) => {
      const f = path.join(dir, `doc-${String(i).padStart(5, '0')}.xml`);
      writeFileSync(f, d, 'utf8');
      return f;
    });
    const r = spawnSync('xmllint', ['--noout', '--schema', ESPAX_XSD, ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error)
      throw new Error(
        `xmllint could not be run (${r.error.message}): install libxml2-utils (apt-get install libxml2-utils); ` +
          'the ESPA-X tests validate every document the server sends and do not skip',
      );
    const out = `${r.stderr}\n${r.stdout}`;
    if (r.status === 0) return [];
    const failures: SchemaFailure[] = [];
    files.forEach((f, index) => {
      if (!out.includes(`${f} fails to validate`) && !out.includes(`${f}:`)) return;
      const errors = out
        .split('\n')
        .filter((l) => l.startsWith(`${f}:`) || l.startsWith(`${f} `))
        .join('\n');
      failures.push({ index, document: documents[index]!, errors });
    });
    if (failures.length === 0) throw new Error(`xmllint failed (exit ${r.status}) without naming a file:\n${out}`);
    return failures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
