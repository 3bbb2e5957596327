'use client';

/** A load that failed, with its reason and, when it can be tried again, a button for that. */
export function LoadError({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="notice notice-error">
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A step that cannot be undone: the warning, the action and a way out. */
export function ConfirmDanger({
  id,
  warning,
  action,
  onConfirm,
  onCancel,
  className,
}: {
  id: string;
  warning: string;
  action: string;
  onConfirm(): void;
  onCancel(): void;
  className?: string;
}) {
  return (
    <div className={className} role="group" aria-labelledby={id}>
      <p id={id} className="small">
        {warning}
      </p>
      <div className="rendition-actions">
        <button type="button" className="button button-small button-danger" onClick={onConfirm}>
          {action}
        </button>
        <button type="button" className="button button-small button-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Grey placeholders in the shape of a list that is still loading. */
export function SkeletonList({ ordered = false, count, label, className, itemClassName }: { ordered?: boolean; count: number; label: string; className: string; itemClassName: string }) {
  const List = ordered ? 'ol' : 'ul';
  return (
    <List className={className} aria-label={label}>
      {Array.from({ length: count }, (_, index) => (
        <li key={index} className={`${itemClassName} skeleton`} aria-hidden="true" />
      ))}
    </List>
  );
}
