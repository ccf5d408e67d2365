// A small CDK app: a Python function behind an HTTP API that sends to a queue.
import { App, CfnOutput, Duration, Stack, StackProps } from "aws-cdk-lib";
import { HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Code, Function, Runtime } from "aws-cdk-lib/aws-lambda";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

declare const __dirname: string;

class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const queue = new Queue(this, "Orders", { visibilityTimeout: Duration.seconds(60) });
    const fn = new Function(this, "Intake", {
      runtime: Runtime.PYTHON_3_12,
      handler: "app.handler",
      code: Code.fromAsset(__dirname + "/handler"),
      timeout: Duration.seconds(20),
      environment: { QUEUE_URL: queue.queueUrl },
    });
    queue.grantSendMessages(fn);
    const api = new HttpApi(this, "Api");
    api.addRoutes({ path: "/orders", methods: [HttpMethod.POST], integration: new HttpLambdaIntegration("Intake", fn) });
    new CfnOutput(this, "ApiId", { value: api.apiId });
    new CfnOutput(this, "QueueUrl", { value: queue.queueUrl });
  }
}

const app = new App();
new OrdersStack(app, "GureumCdkOrders");
