/**
 * The plan editor's text field: CodeMirror 6 with JSON highlighting, schema-aware completion
 * (plan-completion.ts), the validator's problems as lint diagnostics with gutter markers, line
 * numbers, undo history. Loaded with import() by the editor page (CodeMirror is ~400 kB).
 *
 * CSP: CodeMirror styles itself through style-mod, which writes a <style> element into a
 * document's head; the server's `default-src 'self'` blocks that. Mounted in a shadow root,
 * style-mod uses a constructed stylesheet (adoptedStyleSheets) instead, which CSP does not
 * govern, so the editor is styled without loosening the policy or needing a nonce. Tab is not
 * bound (it moves focus on, as everywhere in the console); Ctrl-Space opens completion.
 */
import {
  autocompletion,
  completionKeymap,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { completePlan, type Schema } from './plan-completion.ts';

export interface EditorProblem {
  readonly from: number;
  readonly to: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export interface PlanEditorHandle {
  readonly text: () => string;
  /** Replaces the whole text (an undoable change). */
  readonly setText: (text: string) => void;
  readonly setProblems: (problems: readonly EditorProblem[]) => void;
  /** Puts the cursor at the start of `line` (1-based), scrolls to it and focuses the editor. */
  readonly goto: (line: number) => void;
  readonly destroy: () => void;
}

export interface PlanEditorOptions {
  readonly text: string;
  readonly label: string;
  /** The plan JSON Schema; completion offers nothing until it is there. */
  readonly schema: () => Schema | undefined;
  readonly onChange: (text: string) => void;
}

const theme = EditorView.theme({
  '&': {
    color: 'var(--fg, #16181d)',
    backgroundColor: 'var(--card, #fff)',
    border: '1px solid var(--line, #c9ced6)',
    borderRadius: '6px',
    fontSize: '15px',
    height: '100%',
  },
  '&.cm-focused': { outline: '3px solid var(--accent, #0b57d0)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', lineHeight: '1.45' },
  '.cm-gutters': {
    backgroundColor: 'var(--bg, #f4f5f7)',
    color: 'var(--muted, #55606e)',
    borderRight: '1px solid var(--line, #c9ced6)',
  },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent, #0b57d0) 7%, transparent)' },
  '.cm-tooltip': { fontSize: '14px' },
  // @codemirror/lint draws its marks as data: SVG images, which `default-src 'self'` refuses
  // (img-src): the same marks in plain CSS instead, so no image is ever requested.
  '.cm-lintRange-error': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--critical, #b3261e)',
    textDecorationSkipInk: 'none',
  },
  '.cm-lintRange-warning': { backgroundImage: 'none', textDecoration: 'underline wavy var(--high, #b35c00)' },
  '.cm-lint-marker': { content: 'none', width: '0.8em', height: '0.8em', borderRadius: '50%', marginTop: '0.15em' },
  '.cm-lint-marker-error': { content: 'none', backgroundColor: 'var(--critical, #b3261e)' },
  '.cm-lint-marker-warning': { content: 'none', backgroundColor: 'var(--high, #b35c00)' },
  '.cm-lint-marker-info': { content: 'none', backgroundColor: 'var(--low, #3b5b7a)' },
});

function completionSource(schema: () => Schema | undefined) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const s = schema();
    if (!s) return null;
    const text = ctx.state.doc.toString();
    const found = completePlan(s, text, ctx.pos);
    if (!found || (!ctx.explicit && found.from === ctx.pos && !found.quoted)) return null;
    const after = text[ctx.pos] ?? '';
    return {
      from: found.from,
      validFor: /^[A-Za-z0-9_.#-]*$/,
      options: found.suggestions.map((s) => {
        const key = s.kind === 'property';
        const apply = found.quoted
          ? `${s.label}${key && after !== '"' ? '": ' : ''}`
          : `"${s.label}"${key ? ': ' : ''}`;
        return {
          label: s.label,
          type: key ? 'property' : s.kind === 'state' ? 'variable' : 'enum',
          info: s.info,
          apply,
        };
      }),
    };
  };
}

/** Mounts the editor into `host` (inside a shadow root: see above). */
export function mountPlanEditor(host: HTMLElement, opts: PlanEditorOptions): PlanEditorHandle {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const parent = document.createElement('div');
  // The host's height is set by plans.css; the editor fills it and scrolls inside (CSSOM, not a style attribute: CSP-safe).
  parent.style.height = '100%';
  shadow.replaceChildren(parent);
  const view = new EditorView({
    root: shadow,
    parent,
    state: EditorState.create({
      doc: opts.text,
      extensions: [
        lineNumbers(),
        lintGutter(),
        history(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle),
        json(),
        autocompletion({ override: [completionSource(opts.schema)], icons: false }),
        keymap.of([...completionKeymap, ...lintKeymap, ...historyKeymap, ...defaultKeymap]),
        theme,
        EditorView.contentAttributes.of({ 'aria-label': opts.label, 'data-testid': 'plan-text' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    setProblems: (problems) => {
      const len = view.state.doc.length;
      const diagnostics: Diagnostic[] = problems.map((p) => ({
        from: Math.min(p.from, len),
        to: Math.min(Math.max(p.to, p.from), len),
        severity: p.severity,
        message: p.message,
      }));
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    goto: (line) => {
      const l = view.state.doc.line(Math.max(1, Math.min(line, view.state.doc.lines)));
      view.dispatch({
        selection: EditorSelection.cursor(l.from),
        effects: EditorView.scrollIntoView(l.from, { y: 'center' }),
      });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
