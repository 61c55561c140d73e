import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useApi, useInfobaseName } from '../api/queries';
import type { Job } from '../api/types';

/**
 * Starts a long operation (Synchronize, initial export, load) and follows its progress: each poll waits
 * up to a second on the host for the job to end, so progress shows live without hammering the host.
 * Starting again while it runs joins the running job (the host does that), so a double click is harmless.
 */
export function useJob(start: () => Promise<Job>, onFinished?: (job: Job) => void) {
  const ib = useInfobaseName();
  const api = useApi();
  const [jobId, setJobId] = useState<string>();
  const reported = useRef<string>(undefined);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  const starter = useMutation({
    mutationFn: start,
    onSuccess: (job) => setJobId(job.id),
  });
  const poll = useQuery({
    queryKey: ['job', ib, jobId],
    queryFn: () => api.job(jobId ?? '', 1),
    enabled: jobId !== undefined,
    refetchInterval: (query) => (query.state.data?.state === 'running' ? 50 : false),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const job = poll.data ?? starter.data;
  useEffect(() => {
    if (!job || job.state === 'running' || reported.current === job.id) return;
    reported.current = job.id;
    finished.current?.(job);
  }, [job]);
  return {
    job: jobId ? job : undefined,
    running: starter.isPending || job?.state === 'running',
    error: starter.error ?? poll.error,
    start: () => starter.mutate(),
    reset: () => {
      setJobId(undefined);
      starter.reset();
    },
  };
}
