'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Search', matches: (path: string) => path === '/' || path.startsWith('/videos') },
  { href: '/ingest', label: 'Add videos', matches: (path: string) => path.startsWith('/ingest') },
  { href: '/jobs', label: 'Jobs', matches: (path: string) => path.startsWith('/jobs') },
];

export function SiteNav() {
  const pathname = usePathname() ?? '/';
  return (
    <nav aria-label="Main" className="site-nav">
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={link.matches(pathname) ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
