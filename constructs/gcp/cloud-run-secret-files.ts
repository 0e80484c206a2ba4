/**
 * Files from Secret Manager mounted into a Cloud Run container (for example the broker CA), as
 * the volume and mount lists Cloud Run jobs and services both take.
 */
export function secretFileVolumes(secretFiles: Readonly<Record<string, string>>) {
  const files = Object.entries(secretFiles);
  return {
    volumeMounts: files.map(([path], i) => ({ name: `secret-file-${i}`, mountPath: path.slice(0, path.lastIndexOf('/')) })),
    volumes: files.map(([path, secret], i) => ({ name: `secret-file-${i}`, secret: { secret, items: [{ path: path.slice(path.lastIndexOf('/') + 1), version: 'latest' }] } })),
  };
}
