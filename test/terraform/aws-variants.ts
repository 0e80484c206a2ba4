/**
 * AWS shapes the bundled examples do not cover, for the terraform CLI checks: a single-instance
 * RabbitMQ with beat and an existing VPC, and Redis OSS in a small two-zone network with a pool
 * that scales to zero, and a four-zone network (issue 15: four zones used to overlap the private
 * and public subnets).
 */
import { editBase } from '../helpers/parameter-files';

export const AWS_VARIANTS = {
  'variant-a.yaml': editBase({
    1: 'customer: variant-a',
    9: '  kind: rabbitmq',
    22: 'beat: singleton',
    23: '',
    24: '',
    25: '',
    26: 'nonProduction: true\nnetwork:\n  existing:\n    vpcId: vpc-0abc1234\n    subnetIds: [subnet-0aa11, subnet-0bb22]\n  zones: [eu-west-1a, eu-west-1b]\nstate:',
    27: '  backend: local',
    28: '',
  }),
  'variant-b.yaml': editBase({
    1: 'customer: variant-b',
    9: '  kind: redis\n  engine: redis',
    17: '    timeLimit: 60\n    autoscale: {min: 0, max: 3}',
    26: 'network:\n  cidr: 10.9.0.0/20\n  zones: [eu-west-1b, eu-west-1c]\nstate:',
  }),
  'variant-c.yaml': editBase({
    1: 'customer: variant-c',
    4: 'region: us-east-1',
    26: 'network:\n  cidr: 172.20.0.0/20\n  zones: [us-east-1a, us-east-1b, us-east-1c, us-east-1d]\nstate:',
  }),
};
