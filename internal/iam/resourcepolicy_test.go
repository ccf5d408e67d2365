package iam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gureum/gureum/internal/cli"
	"github.com/gureum/gureum/internal/gureumtest"
)

// account is a second account of a test server: its id and its root's configuration.
type account struct {
	ID  string
	Cfg aws.Config
}

// newAccount creates an account through the CLI (`gureum account create --output json`) as the
// first account's root.
func newAccount(t testing.TB, srv *gureumtest.Server, name string) account {
	t.Helper()
	env := map[string]string{"AWS_ACCESS_KEY_ID": gureumtest.AccessKeyID, "AWS_SECRET_ACCESS_KEY": gureumtest.SecretAccessKey}
	var out bytes.Buffer
	err := cli.Run(context.Background(), []string{"account", "create", "--name", name, "--output", "json", "--endpoint", srv.Endpoint},
		func(k string) string { return env[k] }, &out, &out)
	if err != nil {
		t.Fatalf("gureum account create: %v (%s)", err, out.String())
	}
	var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("account create printed %q (%v)", out.String(), err)
	}
	return account{ID: a.AccountId, Cfg: gureumtest.ConfigFor(srv.Endpoint, a.AccessKeyId, a.SecretAccessKey, "")}
}

// newUser creates a user of the account cfg belongs to, with inline policies, and returns its
// configuration.
func newUser(t testing.TB, srv *gureumtest.Server, cfg aws.Config, name string, policies ...string) aws.Config {
	t.Helper()
	ctx := context.Background()
	c := awsiam.NewFromConfig(cfg)
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	for i, doc := range policies {
		if _, err := c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return gureumtest.ConfigFor(srv.Endpoint, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
}

// TestQueuePolicy: a queue's policy (AddPermission's statements, the Policy attribute) is the
// resource policy the authorizer weighs, at once after it changes. Another account's root sends
// only with a grant; its users need their own account's allow as well; a Deny in the policy
// binds even the owner's root; a malformed Policy is refused.
func TestQueuePolicy(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	partner := newAccount(t, srv, "partner")
	owner := sqs.NewFromConfig(srv.Config())
	q, err := owner.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	url := q.QueueUrl
	queueARN := "arn:aws:sqs:" + gureumtest.Region + ":" + gureumtest.AccountID + ":shared"
	send := func(c *sqs.Client) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("hi")})
		return err
	}
	theirRoot := sqs.NewFromConfig(partner.Cfg)
	theirUser := sqs.NewFromConfig(newUser(t, srv, partner.Cfg, "sender"))
	theirAllowed := sqs.NewFromConfig(newUser(t, srv, partner.Cfg, "allowed", allowDoc("sqs:SendMessage", queueARN)))

	if err := send(theirRoot); apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "on resource: "+queueARN) {
		t.Errorf("the partner's root, no grant: SendMessage = %v; want AccessDenied", err)
	}
	if _, err := owner.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: url, Label: aws.String("partner"),
		AWSAccountIds: []string{partner.ID}, Actions: []string{"SendMessage"}}); err != nil {
		t.Fatal(err)
	}
	if err := send(theirRoot); err != nil {
		t.Errorf("the partner's root after AddPermission: SendMessage = %v; want allowed", err)
	}
	if err := send(theirUser); apiCode(err) != "AccessDenied" {
		t.Errorf("a partner user without an identity policy: SendMessage = %v; want AccessDenied (both sides must allow)", err)
	}
	if err := send(theirAllowed); err != nil {
		t.Errorf("a partner user allowed by its account: SendMessage = %v; want allowed", err)
	}
	if _, err := theirRoot.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: url}); apiCode(err) != "AccessDenied" {
		t.Errorf("the partner's root: PurgeQueue (not granted) = %v; want AccessDenied", err)
	}
	if _, err := owner.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: url, Label: aws.String("partner")}); err != nil {
		t.Fatal(err)
	}
	if err := send(theirRoot); apiCode(err) != "AccessDenied" {
		t.Errorf("the partner's root after RemovePermission: SendMessage = %v; want AccessDenied", err)
	}

	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"` + queueARN + `"},` +
		`{"Effect":"Allow","Principal":{"AWS":"` + partner.ID + `"},"Action":"sqs:ReceiveMessage","Resource":"` + queueARN + `"}]}`
	setPolicy := func(doc string) error {
		_, err := owner.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"Policy": doc}})
		return err
	}
	if err := setPolicy(deny); err != nil {
		t.Fatal(err)
	}
	if err := send(owner); apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "explicit deny in a resource-based policy") {
		t.Errorf("the owner's root under the queue's Deny: SendMessage = %v; want AccessDenied by explicit deny", err)
	}
	if _, err := theirRoot.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url}); err != nil {
		t.Errorf("the partner's root allowed ReceiveMessage by the Policy attribute: %v", err)
	}
	if err := setPolicy(""); err != nil {
		t.Fatal(err)
	}
	if err := send(owner); err != nil {
		t.Errorf("the owner's root once the policy is gone: SendMessage = %v", err)
	}
	if err := setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`); apiCode(err) != "InvalidAttributeValue" {
		t.Errorf("SetQueueAttributes(a Policy without Principal) = %v; want InvalidAttributeValue", err)
	}
	attrs, err := owner.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil || attrs.Attributes["Policy"] != "" {
		t.Errorf("GetQueueAttributes(Policy) = %v, %v; want none", attrs, err)
	}
}

func allowDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// TestTopicPolicy: another account publishes to a topic only once AddPermission (or the Policy
// attribute) grants it, and no longer after RemovePermission; a Deny binds the owner's root.
func TestTopicPolicy(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	partner := newAccount(t, srv, "partner")
	owner, theirs := sns.NewFromConfig(srv.Config()), sns.NewFromConfig(partner.Cfg)
	topic, err := owner.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(c *sns.Client) error {
		_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("hi")})
		return err
	}
	if err := publish(theirs); apiCode(err) != "AuthorizationError" && apiCode(err) != "AccessDenied" {
		t.Errorf("the partner's root, no grant: Publish = %v; want denied", err)
	}
	if _, err := owner.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: topic.TopicArn, Label: aws.String("partner"),
		AWSAccountId: []string{partner.ID}, ActionName: []string{"Publish"}}); err != nil {
		t.Fatal(err)
	}
	if err := publish(theirs); err != nil {
		t.Errorf("the partner's root after AddPermission: Publish = %v; want allowed", err)
	}
	if _, err := theirs.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic.TopicArn}); err == nil {
		t.Errorf("the partner's root: DeleteTopic (not granted) = nil; want denied")
	}
	if _, err := owner.RemovePermission(ctx, &sns.RemovePermissionInput{TopicArn: topic.TopicArn, Label: aws.String("partner")}); err != nil {
		t.Fatal(err)
	}
	if err := publish(theirs); err == nil {
		t.Errorf("the partner's root after RemovePermission: Publish = nil; want denied")
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"` + aws.ToString(topic.TopicArn) + `"}]}`
	if _, err := owner.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	if err := publish(owner); err == nil {
		t.Errorf("the owner's root under the topic's Deny: Publish = nil; want denied")
	}
	if _, err := owner.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"}]}`)}); apiCode(err) != "InvalidParameter" {
		t.Errorf("SetTopicAttributes(a Policy without Principal) = %v; want InvalidParameter", err)
	}
}

// TestBusPolicy: another account puts events on a bus only once PutPermission allows it; the
// event reaches the bus's rules with the sender's account; RemovePermission takes it back.
func TestBusPolicy(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	partner := newAccount(t, srv, "partner")
	owner, theirs := eventbridge.NewFromConfig(srv.Config()), eventbridge.NewFromConfig(partner.Cfg)
	bus, err := owner.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(srv.Config()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := "arn:aws:sqs:" + gureumtest.Region + ":" + gureumtest.AccountID + ":events"
	if _, err := owner.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventBusName: aws.String("shared"), EventPattern: aws.String(`{"source":["partner.app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), EventBusName: aws.String("shared"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}}); err != nil {
		t.Fatal(err)
	}
	put := func() error {
		_, err := theirs.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: bus.EventBusArn,
			Source: aws.String("partner.app"), DetailType: aws.String("t"), Detail: aws.String(`{}`)}}})
		return err
	}
	if err := put(); apiCode(err) != "AccessDeniedException" {
		t.Errorf("the partner's PutEvents, no grant = %v; want AccessDeniedException", err)
	}
	if _, err := owner.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("shared"), StatementId: aws.String("partner"),
		Action: aws.String("events:PutEvents"), Principal: aws.String(partner.ID)}); err != nil {
		t.Fatal(err)
	}
	d, err := owner.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("shared")})
	if err != nil || !strings.Contains(aws.ToString(d.Policy), "arn:aws:iam::"+partner.ID+":root") {
		t.Errorf("DescribeEventBus = %v, %v; want the policy with the partner", d, err)
	}
	if err := put(); err != nil {
		t.Errorf("the partner's PutEvents after PutPermission = %v; want allowed", err)
	}
	msgs, err := sqs.NewFromConfig(srv.Config()).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 5})
	if err != nil || len(msgs.Messages) != 1 || !strings.Contains(aws.ToString(msgs.Messages[0].Body), `"account":"`+partner.ID+`"`) {
		t.Errorf("the rule's queue got %+v, %v; want the partner's event", msgs, err)
	}
	if _, err := theirs.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("mine"), EventBusName: bus.EventBusArn, ScheduleExpression: aws.String("rate(1 hour)")}); apiCode(err) != "AccessDeniedException" {
		t.Errorf("the partner's PutRule on the bus (not granted) = %v; want AccessDeniedException", err)
	}
	if _, err := owner.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("shared"), StatementId: aws.String("partner")}); err != nil {
		t.Fatal(err)
	}
	if err := put(); apiCode(err) != "AccessDeniedException" {
		t.Errorf("the partner's PutEvents after RemovePermission = %v; want AccessDeniedException", err)
	}
	if _, err := owner.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("shared"), StatementId: aws.String("partner")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("RemovePermission(gone) = %v; want ResourceNotFoundException", err)
	}
}

// TestBusToBusAcrossAccounts: a rule of the partner's that targets the first account's bus
// delivers there only while that bus's policy allows the partner's account events:PutEvents.
func TestBusToBusAcrossAccounts(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	partner := newAccount(t, srv, "partner")
	owner, theirs := eventbridge.NewFromConfig(srv.Config()), eventbridge.NewFromConfig(partner.Cfg)
	bus, err := owner.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(srv.Config()).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventBusName: aws.String("inbox"), EventPattern: aws.String(`{"source":["partner.app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), EventBusName: aws.String("inbox"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:" + gureumtest.Region + ":" + gureumtest.AccountID + ":inbox")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := theirs.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("out"), EventPattern: aws.String(`{"source":["partner.app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := theirs.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("out"), Targets: []ebtypes.Target{{Id: aws.String("bus"), Arn: bus.EventBusArn}}}); err != nil {
		t.Fatal(err)
	}
	receive := func(wait int32) int {
		out, err := sqs.NewFromConfig(srv.Config()).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: wait, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Messages)
	}
	put := func(detail string) {
		if _, err := theirs.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			Source: aws.String("partner.app"), DetailType: aws.String("t"), Detail: aws.String(detail)}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(`{"n":1}`)
	if n := receive(1); n != 0 {
		t.Errorf("without a grant on the bus the queue got %d events; want none", n)
	}
	if _, err := owner.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("inbox"), StatementId: aws.String("partner"),
		Action: aws.String("events:PutEvents"), Principal: aws.String(partner.ID)}); err != nil {
		t.Fatal(err)
	}
	put(`{"n":2}`)
	if n := receive(5); n != 1 {
		t.Errorf("with the grant the queue got %d events; want the one put after it", n)
	}
}

// TestS3NotificationAcrossAccounts: a bucket's notification configuration naming another
// account's queue is refused (AWS's "Unable to validate the following destination
// configurations") until the queue's policy allows s3.amazonaws.com for that bucket.
func TestS3NotificationAcrossAccounts(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	partner := newAccount(t, srv, "partner")
	b := s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(partner.Cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("uploads")})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := "arn:aws:sqs:" + gureumtest.Region + ":" + partner.ID + ":uploads"
	configure := func() error {
		_, err := b.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
			NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
				QueueArn: aws.String(queueARN), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}})
		return err
	}
	if err := configure(); apiCode(err) != "InvalidArgument" {
		t.Errorf("notification to the partner's queue without its grant = %v; want InvalidArgument", err)
	}
	for _, c := range []struct {
		source string
		ok     bool
	}{{"arn:aws:s3:::other", false}, {"arn:aws:s3:::uploads", true}} {
		grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueARN +
			`","Condition":{"ArnLike":{"aws:SourceArn":"` + c.source + `"}}}]}`
		if _, err := sqs.NewFromConfig(partner.Cfg).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": grant}}); err != nil {
			t.Fatal(err)
		}
		if err := configure(); (err == nil) != c.ok {
			t.Errorf("notification with the queue granting %s = %v; want allowed %v", c.source, err, c.ok)
		}
	}
}
