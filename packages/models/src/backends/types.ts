/** What every backend reports about itself; `health()` never throws and never outlives its timeout. */
export interface BackendHealth {
  readonly ok: boolean;
  readonly latencyMs?: number;
  readonly detail: string;
}

export interface HealthCheckable {
  health(): Promise<BackendHealth>;
}
