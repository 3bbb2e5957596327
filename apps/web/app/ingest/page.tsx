import { IngestView } from '../../components/IngestView.tsx';

export const metadata = { title: 'Add videos' };

export default function IngestPage() {
  return <IngestView />;
}
