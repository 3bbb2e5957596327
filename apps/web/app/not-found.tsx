import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="empty-state">
      <h1 className="empty-title">Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link href="/" className="button button-primary">
        Back to search
      </Link>
    </div>
  );
}
