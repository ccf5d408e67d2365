package cloudformation_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// intake is a REST API whose OpenAPI Body sends POST /order to a queue (an AWS service
// integration with an integration response), a private API with its VPC endpoints, and a
// website bucket whose public-access block is lifted so that its public policy is allowed.
const intake = `
Resources:
  Orders:
    Type: AWS::SQS::Queue
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        info: {title: intake}
        paths:
          /order:
            post:
              responses:
                "200": {description: queued}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Orders.QueueName}"
                passthroughBehavior: never
                requestParameters:
                  integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
                requestTemplates:
                  application/json: "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      application/json: "{\"orderId\": \"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')\"}"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: v1
  Private:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: inside
      EndpointConfiguration:
        Types: [PRIVATE]
        VpcEndpointIds: [vpce-0123456789abcdef0]
  Site:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: false
        RestrictPublicBuckets: false
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
            BucketKeyEnabled: true
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerEnforced}]
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Site.Arn}/*"
Outputs:
  Api:
    Value: !Ref Api
  Private:
    Value: !Ref Private
  Queue:
    Value: !Ref Orders
  Site:
    Value: !Ref Site
`

// TestRestApiBodyAndBucketSettings deploys intake: the Body's method and integration responses
// exist (the queued order answers 200 with the message id), the private API keeps its VPC
// endpoints, and the bucket's block, encryption and ownership are applied before its policy.
func TestRestApiBodyAndBucketSettings(t *testing.T) {
	each(t, func(t *testing.T, c clients) {
		cfg := c.srv.Config()
		if _, err := c.cfn.CreateStack(bg, &cloudformation.CreateStackInput{StackName: aws.String("intake"), TemplateBody: aws.String(intake)}); err != nil {
			t.Fatal(err)
		}
		st := stack(t, c, "intake")
		if st.StackStatus != cfntypes.StackStatusCreateComplete {
			failures(t, c, "intake")
			t.Fatalf("status = %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		o := outputs(st)

		gw := apigateway.NewFromConfig(cfg)
		resources, err := gw.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: aws.String(o["Api"]), Embed: []string{"methods"}})
		if err != nil {
			t.Fatal(err)
		}
		var order string
		for _, r := range resources.Items {
			if aws.ToString(r.Path) == "/order" {
				order = *r.Id
			}
		}
		ir, err := gw.GetIntegrationResponse(bg, &apigateway.GetIntegrationResponseInput{RestApiId: aws.String(o["Api"]), ResourceId: aws.String(order),
			HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
		if err != nil || ir.ResponseTemplates["application/json"] == "" {
			t.Errorf("GetIntegrationResponse = %+v, %v; want the Body's", ir, err)
		}
		url := c.srv.Endpoint + "/_gureum/execute-api/" + o["Api"] + "/v1/order"
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"item":"book"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var answer struct{ OrderID string }
		if resp.StatusCode != 200 || json.Unmarshal(b, &answer) != nil || answer.OrderID == "" {
			t.Fatalf("POST %s = %d %s; want 200 and the message id", url, resp.StatusCode, b)
		}
		msgs, err := c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(o["Queue"]), WaitTimeSeconds: 1})
		if err != nil || len(msgs.Messages) != 1 || *msgs.Messages[0].MessageId != answer.OrderID {
			t.Errorf("queue = %+v, %v; want the order", msgs, err)
		}

		private, err := gw.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: aws.String(o["Private"])})
		if err != nil || private.EndpointConfiguration == nil || strings.Join(private.EndpointConfiguration.VpcEndpointIds, ",") != "vpce-0123456789abcdef0" {
			t.Errorf("private API = %+v, %v; want its VPC endpoint", private, err)
		}

		objects := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		bucket := aws.String(o["Site"])
		pab, err := objects.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: bucket})
		if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) {
			t.Errorf("GetPublicAccessBlock = %+v, %v", pab, err)
		}
		enc, err := objects.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: bucket})
		if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 || !aws.ToBool(enc.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled) ||
			enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" {
			t.Errorf("GetBucketEncryption = %+v, %v", enc, err)
		}
		own, err := objects.GetBucketOwnershipControls(bg, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
		if err != nil || len(own.OwnershipControls.Rules) != 1 || own.OwnershipControls.Rules[0].ObjectOwnership != "BucketOwnerEnforced" {
			t.Errorf("GetBucketOwnershipControls = %+v, %v", own, err)
		}

		// The Body changes: PutRestApi overwrites the methods.
		v2 := strings.Replace(intake, "/order:", "/orders:", 1)
		if _, err := c.cfn.UpdateStack(bg, &cloudformation.UpdateStackInput{StackName: aws.String("intake"), TemplateBody: aws.String(v2)}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, "intake"); st.StackStatus != cfntypes.StackStatusUpdateComplete {
			failures(t, c, "intake")
			t.Fatalf("after the update: %s (%s)", st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		resources, err = gw.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: aws.String(o["Api"])})
		var paths []string
		for _, r := range resources.Items {
			paths = append(paths, aws.ToString(r.Path))
		}
		if err != nil || strings.Join(paths, ",") != "/,/orders" && strings.Join(paths, ",") != "/orders,/" {
			t.Errorf("paths after the update = %v, %v; want / and /orders", paths, err)
		}
		if _, err := c.cfn.DeleteStack(bg, &cloudformation.DeleteStackInput{StackName: aws.String("intake")}); err != nil {
			t.Fatal(err)
		}
		if st := stack(t, c, *st.StackId); st.StackStatus != cfntypes.StackStatusDeleteComplete {
			t.Errorf("after delete: %s", st.StackStatus)
		}
	})
}

// failures logs a stack's failed events.
func failures(t *testing.T, c clients, name string) {
	t.Helper()
	events, _ := c.cfn.DescribeStackEvents(bg, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
	if events == nil {
		return
	}
	for _, e := range events.StackEvents {
		if strings.HasSuffix(string(e.ResourceStatus), "FAILED") {
			t.Logf("%s %s: %s", *e.LogicalResourceId, e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
	}
}
