import type { HoltState, ScorerState } from '@healstream/anomaly';
import type { Anomaly, ReliabilityEvent, Severity } from '@healstream/contracts';

export const DETECTOR_STATE_VERSION = 1;

export interface MetricState {
  value: number;
  observedAt: number;
  /** Set while the latest value is anomalous. */
  anomaly: Anomaly | null;
  /** Severity of the anomaly: the threshold's, or for a statistical one from its magnitude (statisticalSeverityOf). */
  severity: Severity | null;
  scorer: ScorerState | null;
  /** The metric's trend model (forecast.metrics only); absent in states written before it. */
  trend?: HoltState | null;
  /** The model step from which a threshold crossing has been predicted on every step, or null. */
  crossingFrom?: number | null;
  /** For the replica count: the lowest reported, the component's normal size. */
  normal?: number;
  /**
   * The metric's usual level and noise (the scorer's baseline and spread), followed while no
   * incident is open and frozen while one is: the pre-incident level the incident's events
   * measure shifts against. Optional: states written before it restore without it.
   */
  usual?: UsualLevel | null;
}

export interface UsualLevel {
  level: number;
  spread: number;
}

export interface OpenIncident {
  incidentId: string;
  openedAt: number;
  lastEmittedAt: number;
  /** Events emitted for this incident, for deterministic event ids. */
  events: number;
}

/**
 * One component's detector state: plain JSON, versioned, bounded (one entry per metric, at most
 * `maxMetrics`), so the detector service can keep it per component in a compacted changelog.
 */
export interface ComponentDetectorState {
  version: typeof DETECTOR_STATE_VERSION;
  component: string;
  metrics: Record<string, MetricState>;
  labels: Record<string, string>;
  anomalousRun: number;
  healthyRun: number;
  incident: OpenIncident | null;
  /** Latest sample time seen, so late samples do not move the clock backwards. */
  lastSeenAt: number;
  /**
   * When the last incident resolved. Usual levels stay frozen for a while after it, so an
   * incident that resolves and reopens in a slow ramp still measures against where the ramp
   * started. Optional: states written before it restore without it.
   */
  lastResolvedAt?: number;
  /**
   * Events the detector service holds until their scrape is complete (scrape-flush.ts), kept in
   * the state so that they cross a transaction's end and survive a restart. Optional.
   */
  held?: ReliabilityEvent[];
  /** When the component was last heard from, and whether it fell silent (detect/silence.ts). Absent in states written before silence was detected. */
  silence?: ComponentSilence;
}

export interface ComponentSilence {
  /** Arrival time (record timestamp) of the latest sample the component itself sent. */
  heardAt: number;
  /** The latest gaps between arrivals, oldest first: the learnt sample interval is their median. */
  gaps: number[];
  /** Partition time at which it was found silent; null while it speaks. */
  silentSince: number | null;
}

export function emptyDetectorState(component: string): ComponentDetectorState {
  return {
    version: DETECTOR_STATE_VERSION,
    component,
    metrics: {},
    labels: {},
    anomalousRun: 0,
    healthyRun: 0,
    incident: null,
    lastSeenAt: 0,
  };
}
