import { JobsDashboard } from '../../components/JobsDashboard.tsx';

export const metadata = { title: 'Jobs' };

export default function JobsPage() {
  return <JobsDashboard />;
}
