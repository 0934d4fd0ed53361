/**
 * What each option of each command does, for `--help` and shell completion. Kept apart from the
 * commands so that adding a description never touches a command's code; a test fails when an
 * option has none. `*` holds the options many commands share.
 */
export const OPTION_HELP: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '*': {
    help: 'show this help',
    json: 'print the result as JSON, for scripts',
    components: 'components file the actions are checked against (default components.yaml)',
    policies: 'policy file or directory; repeat for more (default policies/)',
    max: 'stop after N records',
  },
  'infra up': {
    brokers: '1 (the default) or 3: three brokers, every topic replicated 3 times, 2 in sync',
  },
  'infra down': { clean: "also remove the broker's and registry's data (downloads stay)" },
  'infra logs': { lines: 'how many of the last lines of each log to show (default 40)' },
  start: { only: 'comma-separated services to run (default all five)' },
  incidents: { open: 'only incidents still open' },
  console: {
    port: 'the port the console listens on (default 9480, or HEALSTREAM_CONSOLE_PORT)',
    components: 'components file, for the team of each component (or HEALSTREAM_COMPONENTS_FILE)',
  },
  publish: { file: 'read samples from this file instead of stdin (JSON lines or CSV)' },
  tail: {
    'from-beginning': 'read the topic from its first record, not only new ones',
    timeout: 'stop after S seconds without a new record',
    'max-seconds': 'stop after S seconds in all, however busy the topic is',
  },
  'policies explain': {
    event:
      'the event as JSON, or @file: a Diagnosis, ReliabilityEvent, MetricSample(s) or {component, metrics}',
  },
  'policies stats': {
    component: 'only this component',
    timeout: 'stop reading after S seconds without a new record (default 3)',
  },
  simulate: {
    detector: 'full (thresholds and statistics) or thresholds (static thresholds only)',
    'outcome-delay': 'seconds a simulated command takes to end (default 10)',
  },
  nab: {
    data: 'folder of NAB data files (default ../shared/nab/data)',
    windows: "NAB's labelled anomaly windows (default ../shared/nab/combined_windows.json)",
    results: 'where to write the detector results (default .healstream/nab-results)',
    profiles: "NAB's scoring profiles (default ../shared/nab/profiles.json)",
    published: 'folder of published NAB scores to compare with',
  },
  fleet: {
    components: 'components file naming the fleet (default components.yaml)',
    port: "the supervisor's control API port (default 7100, or FLEET_SUPERVISOR_PORT)",
    only: 'comma-separated members to run (default every process component)',
  },
  demo: {
    scenario: 'comma-separated scenarios to run (default all)',
    short: 'shorter waits, for a quick look',
    'json-file': 'also write the final table as JSON to this file',
    verbose: "show the services' own log lines",
  },
  agent: {
    targets: 'YAML file of targets (component, url), interval, quantiles and ratios',
  },
  completion: {},
  'maintenance add': {
    component: 'the component it covers (a glob: pay* covers payments)',
    team: 'every component whose on-call team in components.yaml is this',
    label: 'components whose components.yaml labels include k=v; repeat for more (all must match)',
    all: 'the whole fleet',
    start: 'when it starts: ISO 8601 (UTC unless a zone is given) or now (default now)',
    end: 'when it ends: ISO 8601 or now',
    duration: 'how long it lasts from its start: 90s, 30m, 2h, 1d, 1h30m',
    weekly: 'repeat the same span every week from its start',
    'hold-pages': "hold the evaluator's pages for what it covers (default: page once per incident)",
    id: 'its id, for maintenance end (default a random mw-…)',
    comment: 'why: shown in every decision it holds back',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
  },
  'maintenance end': {
    comment: 'why it ends now',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
  },
  pause: {
    component: 'pause one component (a glob)',
    team: "pause one on-call team's components",
    label: 'pause components with this components.yaml label k=v; repeatable',
    all: 'pause the whole fleet (the default)',
    reason: 'why: shown in every SHADOW decision it causes',
    for: 'lift it by itself after 90s, 30m, 2h, 1d (default: until resume)',
    comment: 'same as --reason',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
  },
  resume: {
    component: 'the component of the pause to lift',
    team: 'the team of the pause to lift',
    label: 'the label(s) of the pause to lift',
    all: 'lift the fleet-wide pause (the default)',
    comment: 'why',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
  },
  ack: {
    comment: 'a note, shown in the decisions it holds back',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
    undo: 'withdraw the acknowledgement: automation may act again',
  },
  'policies disable': {
    comment: 'why: shown in every decision',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
    force: 'send it even if no policy of that name is at hand',
  },
  'policies shadow': {
    comment: 'why: shown in every decision',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
    force: 'send it even if no policy of that name is at hand',
  },
  'policies enable': {
    comment: 'why',
    author: 'who (default HEALSTREAM_AUTHOR or the login name)',
    force: 'send it even if no policy of that name is at hand',
  },
  approve: {
    author: 'who approves, recorded in the decision (default HEALSTREAM_AUTHOR or the login name)',
    comment: 'a note recorded with the approval',
  },
  deny: {
    reason: 'why not, recorded in the decision and the page (required)',
    author: 'who denies, recorded in the decision (default HEALSTREAM_AUTHOR or the login name)',
  },
  'policies apply': {
    components:
      'components file published with the policies (default <dir>/components.yaml, else components.yaml, if present)',
    author:
      'who publishes, shown by policies history (default HEALSTREAM_AUTHOR or the login name)',
    comment: 'why, shown by policies history',
  },
  'policies rollback': {
    author:
      'who rolls back, shown by policies history (default HEALSTREAM_AUTHOR or the login name)',
    comment: "why, shown by policies history (default 'rollback to vN')",
  },
};

/** The description of `--name` of the command at `path`, if any. */
export function optionHelp(path: readonly string[], name: string): string | undefined {
  return OPTION_HELP[path.join(' ')]?.[name] ?? OPTION_HELP['*']?.[name];
}
