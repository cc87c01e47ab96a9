import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Options of {@link createNetwork}. */
export interface NetworkArgs {
  namePrefix: string;
  /** A /16; each zone gets a /20 public and a /19 private subnet. */
  cidr: string;
  availabilityZones: string[];
  /** One NAT gateway for every zone instead of one per zone. */
  singleNatGateway: boolean;
  region: string;
  /** Name of the EKS cluster, for the subnet tags load balancers look for. */
  clusterName: string;
  tags: Record<string, string>;
}

/** The VPC of {@link createNetwork}. */
export interface Network {
  vpc: aws.ec2.Vpc;
  publicSubnets: aws.ec2.Subnet[];
  privateSubnets: aws.ec2.Subnet[];
}

function subnetCidr(vpcCidr: string, third: number, size: 19 | 20): string {
  const [a, b] = vpcCidr.split('.');
  return `${a}.${b}.${third}.0/${size}`;
}

/**
 * Creates a VPC with public subnets (load balancers, NAT) and private subnets (nodes) in each zone.
 *
 * @example
 * ```ts
 * const network = createNetwork({ namePrefix: 'shazam-prod', cidr: '10.50.0.0/16', availabilityZones, singleNatGateway: false, clusterName, tags });
 * ```
 */
export function createNetwork(args: NetworkArgs, parent?: pulumi.Resource): Network {
  const component = new pulumi.ComponentResource('shazam:platform:Network', args.namePrefix, {}, { parent });
  const opts = { parent: component };
  const clusterTag = `kubernetes.io/cluster/${args.clusterName}`;
  const vpc = new aws.ec2.Vpc(
    args.namePrefix,
    {
      cidrBlock: args.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { ...args.tags, Name: args.namePrefix },
    },
    opts,
  );
  const gateway = new aws.ec2.InternetGateway(args.namePrefix, { vpcId: vpc.id, tags: args.tags }, opts);
  const publicRoutes = new aws.ec2.RouteTable(
    `${args.namePrefix}-public`,
    { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: gateway.id }], tags: args.tags },
    opts,
  );

  const publicSubnets = args.availabilityZones.map((zone, index) => {
    const subnet = new aws.ec2.Subnet(
      `${args.namePrefix}-public-${zone}`,
      {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: subnetCidr(args.cidr, 16 * index, 20),
        // Nodes live in private subnets; nothing here gets a public address unless it asks for one.
        mapPublicIpOnLaunch: false,
        tags: {
          ...args.tags,
          Name: `${args.namePrefix}-public-${zone}`,
          'kubernetes.io/role/elb': '1',
          [clusterTag]: 'shared',
        },
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${args.namePrefix}-public-${zone}`,
      { subnetId: subnet.id, routeTableId: publicRoutes.id },
      opts,
    );
    return subnet;
  });

  const natCount = args.singleNatGateway ? 1 : args.availabilityZones.length;
  const nats = publicSubnets.slice(0, natCount).map((subnet, index) => {
    const zone = args.availabilityZones[index] ?? `zone-${index}`;
    const address = new aws.ec2.Eip(
      `${args.namePrefix}-nat-${zone}`,
      { domain: 'vpc', tags: args.tags },
      opts,
    );
    return new aws.ec2.NatGateway(
      `${args.namePrefix}-${zone}`,
      { allocationId: address.id, subnetId: subnet.id, tags: args.tags },
      opts,
    );
  });

  const privateRouteTables: aws.ec2.RouteTable[] = [];
  const privateSubnets = args.availabilityZones.map((zone, index) => {
    const nat = nats[args.singleNatGateway ? 0 : index];
    if (!nat) throw new Error(`no NAT gateway for zone ${zone}`);
    const routes = new aws.ec2.RouteTable(
      `${args.namePrefix}-private-${zone}`,
      { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }], tags: args.tags },
      opts,
    );
    privateRouteTables.push(routes);
    const subnet = new aws.ec2.Subnet(
      `${args.namePrefix}-private-${zone}`,
      {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: subnetCidr(args.cidr, 128 + 32 * index, 19),
        tags: {
          ...args.tags,
          Name: `${args.namePrefix}-private-${zone}`,
          'kubernetes.io/role/internal-elb': '1',
          [clusterTag]: 'shared',
        },
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${args.namePrefix}-private-${zone}`,
      { subnetId: subnet.id, routeTableId: routes.id },
      opts,
    );
    return subnet;
  });

  // S3 traffic from nodes stays on the AWS network and skips the NAT gateways' per-GB charge.
  new aws.ec2.VpcEndpoint(
    `${args.namePrefix}-s3`,
    {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${args.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: privateRouteTables.map((table) => table.id),
      tags: args.tags,
    },
    opts,
  );
  return { vpc, publicSubnets, privateSubnets };
}
