/**
 * The confirmation every destructive action goes through (LavinMQ): a modal dialog that names
 * the object and what will happen to it. The native <dialog> keeps focus inside and closes on
 * Escape, so it works by keyboard alone.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export interface ConfirmProps {
  open: boolean;
  title: string;
  children: ReactNode;
  action: string;
  onConfirm(): void;
  onCancel(): void;
}

export function Confirm({ open, title, children, action, onConfirm, onCancel }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title" onCancel={onCancel} onClose={() => open && onCancel()}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div className="buttons">
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {action}
        </button>
      </div>
    </dialog>
  );
}
