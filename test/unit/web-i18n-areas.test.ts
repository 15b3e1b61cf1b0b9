// The console's messages by area (src/web/i18n/i18n.ts): the shell's and the operation area's
// are there from the start; administration, plans and system only once added (views.tsx adds
// an area's messages with the first page of it, so they stay out of the main bundle). Until
// then their keys are shown as the key and logged as an error. This file imports no area's
// messages but the one it adds itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminMessages } from '../../src/web/admin/messages.ts';
import { addMessages, MESSAGES, translate } from '../../src/web/i18n/i18n.ts';

describe('console messages by area', () => {
  it('has the shell and the operation area from the start, no other area', () => {
    const keys = Object.keys(MESSAGES.EN);
    assert.ok(keys.includes('board.count') && keys.includes('ops.filter'));
    assert.deepEqual(
      keys.filter((k) => /^(admin|plans|system)\./.test(k)),
      [],
    );
  });

  it('shows a key of an area not added as the key, with an error; once added, its text', (t) => {
    const error = t.mock.method(console, 'error', () => {});
    assert.equal(translate('DE', 'admin.filter'), 'admin.filter');
    assert.equal(error.mock.callCount(), 1);
    assert.match(String(error.mock.calls[0]!.arguments[0]), /admin\.filter: the messages of its area are not loaded/);
    addMessages(adminMessages);
    assert.equal(translate('DE', 'admin.filter'), adminMessages.DE['admin.filter']);
    assert.equal(translate('EN', 'admin.filter'), adminMessages.EN['admin.filter']);
    addMessages(adminMessages); // again: nothing changes
    assert.equal(translate('FR', 'admin.filter'), adminMessages.FR['admin.filter']);
    assert.equal(error.mock.callCount(), 1);
  });
});
