/**
 * Container images the kit runs next to the app, pinned so a deploy never changes what runs
 * underneath a customer without a kit release.
 */
export const IMAGES = {
  /** celery-exporter: Celery events and queue lengths as Prometheus metrics on :9808. */
  celeryExporter: 'ghcr.io/danihodovic/celery-exporter:0.12.2',
  /** AWS Distro for OpenTelemetry collector: scrapes the exporter, writes CloudWatch/Prometheus. */
  awsOtelCollector: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1',
  /** Flower 2: the Celery web UI (behind the kit's SSO; it has no OIDC of its own). */
  flower: 'mher/flower:2.0.1',
  /**
   * Node.js for the identity gate in front of Flower and Grafana on AWS (standard library only:
   * node:http, node:crypto, fetch). Docker's official image through ECR Public, like busybox.
   */
  identityGate: 'public.ecr.aws/docker/library/node:22.12.0-alpine',
  /** Grafana OSS, dashboards and the Prometheus data source provisioned at start. */
  grafana: 'grafana/grafana-oss:11.3.0',
  /** Small shell image that writes Grafana's provisioning files before Grafana starts. */
  busybox: 'public.ecr.aws/docker/library/busybox:1.36.1',
  /** RabbitMQ 3.13 (quorum queues, last 3.13 release) with the management plugin. */
  rabbitmq: 'rabbitmq:3.13.7-management',
  /** Google Managed Service for Prometheus drop-in Prometheus: scrapes locally, exports to Cloud Monitoring. */
  gmpPrometheus: 'gke.gcr.io/prometheus-engine/prometheus:v2.53.5-gmp.1-gke.2',
  /** Prometheus in the AWS exporter task: evaluates the pool scaling rules next to the exporter. */
  prometheus: 'quay.io/prometheus/prometheus:v2.53.2',
  /** Managed Prometheus query frontend: a Prometheus API over Cloud Monitoring for Grafana. */
  gmpFrontend: 'gke.gcr.io/prometheus-engine/frontend:v0.15.3-gke.0',
} as const;

/** Port celery-exporter listens on. */
export const CELERY_EXPORTER_PORT = 9808;
