/**
 * A JSON text editor that shows its problems inline as you type: a syntax error with its
 * position, then whatever `check` finds (the broker's own schemas, compiled at build time).
 */
import { useId } from 'react';

export interface JsonEditorProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Problems with the parsed value, one message each; [] when it is fine. */
  check(value: unknown): string[];
  rows?: number;
}

export function jsonProblems(text: string, check: (value: unknown) => string[]): string[] {
  try {
    return check(JSON.parse(text));
  } catch (error) {
    return [`JSON: ${(error as Error).message}`];
  }
}

export function JsonEditor({ label, value, onChange, check, rows = 12 }: JsonEditorProps) {
  const id = useId();
  const problems = jsonProblems(value, check);
  return (
    <div className="json-editor">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={value}
        rows={rows}
        spellCheck={false}
        aria-invalid={problems.length > 0}
        aria-describedby={`${id}-problems`}
        onChange={(e) => onChange(e.target.value)}
      />
      <ul id={`${id}-problems`} className="problems" aria-live="polite">
        {problems.length === 0 ? <li className="ok">Valid</li> : problems.map((p) => <li key={p}>{p}</li>)}
      </ul>
    </div>
  );
}
