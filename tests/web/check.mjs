// check.mjs — the outcome counting the web tests share, in the format of the
// shell tests: "ok      WHAT" / "FAIL    WHAT: DETAIL", then "N passed, M failed".
export const counts = { passed: 0, failed: 0 };

// Records one check; returns ok.
export function check(ok, what, detail = '') {
  if (ok) counts.passed++;
  else counts.failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'}    ${what}${ok || !detail ? '' : `: ${detail}`}`);
  return ok;
}

// Prints the summary (with an optional note) and exits 1 if anything failed.
export function finish(note = '') {
  console.log(`${counts.passed} passed, ${counts.failed} failed${note}`);
  process.exit(counts.failed ? 1 : 0);
}
