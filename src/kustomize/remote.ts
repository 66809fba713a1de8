/**
 * Whether a `resources`/`components` entry names something kustomize would fetch over the network:
 * an http(s) file or a git repository spec (kustomize's IsRemoteFile / NewRepoSpecFromURL forms).
 */
export function isRemoteTarget(p: string): boolean {
  if (/^(https?|ssh|git|file):\/\//i.test(p)) return true;
  if (/^git::/.test(p) || /^gh:/.test(p) || /^git@/.test(p)) return true;
  if (/^(github\.com|gitlab\.com|bitbucket\.org)[/:]/i.test(p)) return true;
  if (/[?&](ref|version|timeout|submodules)=/.test(p)) return true;
  if (/\.git(\/\/|$|\?)/.test(p) || /_git\//.test(p)) return true;
  return false;
}
