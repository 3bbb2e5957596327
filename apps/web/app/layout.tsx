import type { ReactNode } from 'react';
import type { Viewport } from 'next';
import Link from 'next/link';
import { AccountMenu } from '../components/AccountMenu.tsx';
import { SiteNav } from '../components/SiteNav.tsx';
import './globals.css';

export const metadata = {
  title: { default: 'cmvc archive', template: '%s · cmvc archive' },
  description: 'Video kept as keyframes and text, searchable by meaning, regenerated on demand.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0f1115' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <div className="site-header-inner">
            <Link href="/" className="brand" aria-label="cmvc archive, home">
              <svg className="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <rect x="2" y="5" width="6" height="14" rx="1.5" />
                <rect x="10" y="5" width="12" height="3" rx="1.5" />
                <rect x="10" y="10.5" width="9" height="3" rx="1.5" />
                <rect x="10" y="16" width="11" height="3" rx="1.5" />
              </svg>
              cmvc <span>archive</span>
            </Link>
            <SiteNav />
            <div className="header-account">
              <AccountMenu />
            </div>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
