import type { ConnectionParameters, ConnectionTest, ExportRules, SyncSetting } from '../../api/types';

/** What the wizard has gathered; every step can be left and entered again without losing it. */
export type WizardState = {
  application: string;
  url: string;
  login: string;
  password: string;
  /** The last test, and for which parameters it was made. */
  test?: { parameters: string; result: ConnectionTest };
  peerPrefix: string;
  setting?: SyncSetting;
  rules: ExportRules;
};

export const INITIATOR_RULES: ExportRules = {
  catalogs: 'used',
  documents: 'all',
  documentsSince: null,
  organizations: [],
};

export function initialWizardState(ownApplication: string | undefined): WizardState {
  return {
    application: ownApplication === 'accounting' ? 'crm' : 'accounting',
    url: '',
    login: '',
    password: '',
    peerPrefix: '',
    rules: INITIATOR_RULES,
  };
}

export function connectionOf(state: WizardState): ConnectionParameters {
  return {
    peerApplication: state.application,
    peerUrl: state.url.trim(),
    peerLogin: state.login,
    peerPassword: state.password,
  };
}

export function parametersKey(state: WizardState): string {
  return JSON.stringify(connectionOf(state));
}

/** The test result that still holds for what is typed now. */
export function currentTest(state: WizardState): ConnectionTest | undefined {
  return state.test?.parameters === parametersKey(state) ? state.test.result : undefined;
}
