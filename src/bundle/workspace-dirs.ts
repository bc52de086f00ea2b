/** The folders of a policy workspace that a bundle carries (its sources and trust files). */
export const WORKSPACE_DIRS = ['gatos/policies', 'gatos/folds', 'gatos/trust', 'gatos/config'] as const;
