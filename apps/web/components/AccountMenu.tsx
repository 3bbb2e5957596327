'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { graphql } from '../lib/api.ts';

interface Viewer {
  name: string;
  kind: string;
  scopes: ('READ' | 'INGEST' | 'ADMIN')[];
}

const ME = /* GraphQL */ `query Me { me { name kind scopes } }`;
const LOGOUT = /* GraphQL */ `mutation Logout { logout }`;

/** Who is signed in, with sign in / sign out; nothing while loading or under open access. */
export function AccountMenu() {
  const pathname = usePathname() ?? '/';
  const [viewer, setViewer] = useState<Viewer | null | undefined>(undefined);
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    let cancelled = false;
    graphql<{ me: Viewer | null }>(ME)
      .then((data) => !cancelled && setViewer(data.me))
      .catch(() => !cancelled && setViewer(undefined));
    return () => {
      cancelled = true;
    };
  }, [pathname]);

  async function signOut() {
    setSigningOut(true);
    try {
      await graphql(LOGOUT);
    } finally {
      window.location.assign('/login');
    }
  }

  if (viewer === undefined || viewer?.kind === 'open') return null;
  if (viewer === null) {
    return pathname.startsWith('/login') ? null : (
      <Link href={`/login?next=${encodeURIComponent(pathname)}`} className="button button-small">
        Sign in
      </Link>
    );
  }
  return (
    <>
      <span className="account-name" title={`${viewer.name} (${viewer.scopes.join(', ').toLowerCase()})`}>
        {viewer.name}
      </span>
      {viewer.kind === 'session' && (
        <button type="button" className="button button-small button-ghost" onClick={() => void signOut()} disabled={signingOut}>
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      )}
    </>
  );
}
