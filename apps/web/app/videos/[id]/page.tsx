import { VideoView } from '../../../components/VideoView.tsx';
import { parseSeconds } from '../../../lib/format.ts';

export default async function VideoPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  return <VideoView key={id} id={decodeURIComponent(id)} initialMoment={parseSeconds(query.t)} />;
}
