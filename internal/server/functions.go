package server

import (
	"context"
	"fmt"
	"github.com/gureum/gureum/internal/cloudwatch"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/cost"
	"github.com/gureum/gureum/internal/events"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/logs"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sns"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/sts"
)

// newFunctions builds the Lambda service: code in the blob store blobPlace picks, sandboxes
// at the configured isolation level (auto: namespaces when possible, else loudly processes).
func newFunctions(st store.Store, cfg Config, env service.Env, peers *functionPeers, files lambda.FileSystems, meter *cost.Recorder) *lambda.Service {
	lc := lambda.Config{Store: st, Region: cfg.Region, DataDir: filepath.Join(cfg.DataDir, "functions"), Log: cfg.Log, Now: cfg.Now,
		FileSystems: files}
	if st == nil { // the catalog
		return lambda.New(lc)
	}
	env = env.For("lambda")
	lc.Clock, lc.Outbox, lc.Dispatcher, lc.Runner = env.Clock, st, env.Outbox, env.Runner
	lc.Destinations, lc.Queues, lc.Logs, lc.Roles, lc.Objects = peers, peers, peers, peers, peers
	lc.Streams = &peers.streams
	usage := usageRecorders{metrics: peers.metrics}
	if meter != nil {
		usage.cost = costUsage{meter}
	}
	lc.Usage = usage
	if shared, dir := blobPlace(st, cfg, "lambda"); shared != nil {
		lc.Blobs = shared
	} else if b, err := blob.NewFiles(dir); err == nil {
		lc.Blobs = b
	} else if cfg.Log != nil {
		cfg.Log.Error("functions: no blob store", "err", err)
	}
	level, auto, err := sandbox.ParseLevel(cfg.Isolation)
	if err == nil {
		lc.Sandboxes, err = sandbox.New(sandbox.Config{Level: level, Auto: auto, StateDir: filepath.Join(cfg.DataDir, "sandbox"), CgroupParent: cfg.SandboxCgroup,
			Prebuilt: 2, PrebuiltPorts: lambda.SandboxPorts})
	}
	if err != nil && cfg.Log != nil {
		cfg.Log.Error("functions cannot run", "err", err)
	}
	if lc.Sandboxes != nil && cfg.Log != nil {
		if lc.Sandboxes.Level() == sandbox.Process {
			cfg.Log.Warn("FUNCTIONS RUN UNISOLATED as plain child processes", "reason", lc.Sandboxes.Reason())
		} else {
			cfg.Log.Info("functions run in namespace sandboxes", "cgroups", lc.Sandboxes.Cgroups())
		}
	}
	return lambda.New(lc)
}

// attachFunctions gives the Lambda service gureum's own handler, which it serves inside each
// sandbox for AWS_ENDPOINT_URL. (Its code download links are its data-plane endpoint.)
func (s *Server) attachFunctions() {
	for _, c := range s.components {
		if fns, ok := c.(*lambda.Service); ok {
			fns.SetEndpoint(s.http.Handler, s.Endpoint())
		}
	}
}

// functionsHealth says in the health report how functions are isolated, loudly when they are not.
func (s *Server) functionsHealth(services map[string]string) {
	for _, c := range s.components {
		if fns, ok := c.(*lambda.Service); ok {
			level, reason := fns.Isolation()
			if reason != "" {
				services["lambda"] = "running; functions NOT isolated (" + level + "): " + reason
			} else {
				services["lambda"] = "running; isolation " + level
			}
		}
	}
}

// functionInvoker runs functions in process for other services: API Gateway's Lambda
// integrations and authorizers synchronously, and the asynchronous targets of SNS, EventBridge
// and Scheduler from their outbox deliveries, so that a run that fails is retried by its delivery
// (at least once, as Lambda's own asynchronous invocation promises). The call acts as the
// function's own account, as a service principal does.
type functionInvoker struct {
	fns     *lambda.Service
	service string // the calling service's principal, e.g. "sns.amazonaws.com"
}

// Invoke runs the function named by arn and answers its result and, when it failed, its error
// type (X-Amz-Function-Error).
func (f functionInvoker) Invoke(ctx context.Context, arn string, payload []byte) ([]byte, string, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 {
		return nil, "", fmt.Errorf("%q is not a function ARN", arn)
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "Invoke",
		Principal: &request.Principal{Account: parts[4], ARN: f.service, UserID: f.service}})
	out, err := f.fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: arn, InvocationType: "RequestResponse", Payload: payload})
	if err != nil {
		return nil, "", err
	}
	return out.Payload, out.FunctionError, nil
}

// InvokeAsync runs the function for an asynchronous target; a function error is an error, so the
// delivery is retried.
func (f functionInvoker) InvokeAsync(ctx context.Context, arn string, payload []byte) error {
	_, fnErr, err := f.Invoke(ctx, arn, payload)
	if err == nil && fnErr != "" {
		err = fmt.Errorf("function %s failed: %s", arn, fnErr)
	}
	return err
}

// roleAuthorizer decides what a role may do (iam.Enforcer.AuthorizeRole).
type roleAuthorizer interface {
	AuthorizeRole(ctx context.Context, roleARN, action, resource, resourcePolicy string) error
}

// serviceInvoker is how every service that invokes functions on its own behalf reaches them: S3
// notifications, SNS subscriptions, EventBridge targets, Scheduler and API Gateway's
// integrations and authorizers. Each call names its source, and authorize decides it as Lambda
// does before the function runs (the one check for all of them).
type serviceInvoker struct {
	functionInvoker
	roles   roleAuthorizer // nil: IAM enforcement is off, and so is this check
	enforce bool
}

// authorize decides whether the service may invoke the function for src. With a role (a
// target's RoleArn, an integration's credentials) the service acts as that role, whose
// policies must allow lambda:InvokeFunction (and, across accounts, the function's policy too);
// without one it acts as its service principal, which only the function's resource policy can
// allow, under its aws:SourceArn and aws:SourceAccount conditions. A function that does not exist
// is reported as such (ResourceNotFoundException), not as a denial.
func (f serviceInvoker) authorize(ctx context.Context, arn string, src request.Source) error {
	if !f.enforce {
		return nil
	}
	var err error
	if src.Role != "" {
		var doc string
		if _, doc, err = f.fns.ResourcePolicy(ctx, arn); err == nil {
			err = f.roles.AuthorizeRole(ctx, src.Role, "lambda:InvokeFunction", arn, doc)
		}
	} else {
		err = f.fns.AuthorizeServiceInvoke(ctx, arn, f.service, src.ARN, src.Account)
	}
	if err != nil && awserr.As(err).Kind == awserr.AccessDenied {
		if gone := f.exists(ctx, arn); gone != nil {
			return gone
		}
	}
	return err
}

// exists is nil when the function arn names exists, else GetFunction's error.
func (f functionInvoker) exists(ctx context.Context, arn string) error {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 {
		return fmt.Errorf("%q is not a function ARN", arn)
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "GetFunction",
		Principal: &request.Principal{Account: parts[4], ARN: f.service, UserID: f.service}})
	_, err := f.fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: arn})
	return err
}

// Authorize reports whether the service may invoke the function for src, without invoking it
// (S3 validates a notification's destinations when they are configured).
func (f serviceInvoker) Authorize(ctx context.Context, arn string, src request.Source) error {
	return f.authorize(ctx, arn, src)
}

// Invoke runs the function for src, once authorized, and answers its result and, when it
// failed, its error type.
func (f serviceInvoker) Invoke(ctx context.Context, arn string, src request.Source, payload []byte) ([]byte, string, error) {
	if err := f.authorize(ctx, arn, src); err != nil {
		return nil, "", err
	}
	return f.functionInvoker.Invoke(ctx, arn, payload)
}

// InvokeAsync runs the function for src, once authorized, for an asynchronous target: a
// function error is an error, so the delivery is retried.
func (f serviceInvoker) InvokeAsync(ctx context.Context, arn string, src request.Source, payload []byte) error {
	if err := f.authorize(ctx, arn, src); err != nil {
		return err
	}
	return f.functionInvoker.InvokeAsync(ctx, arn, payload)
}

// Enqueue queues an asynchronous invocation for src, once authorized.
func (f serviceInvoker) Enqueue(ctx context.Context, arn string, src request.Source, payload []byte) error {
	if err := f.authorize(ctx, arn, src); err != nil {
		return err
	}
	return f.functionInvoker.Enqueue(ctx, arn, payload)
}

// rotationInvoker runs Secrets Manager's rotation steps, each a synchronous call that must succeed.
type rotationInvoker struct{ functionInvoker }

// Invoke runs one rotation step.
func (r rotationInvoker) Invoke(ctx context.Context, arn string, payload []byte) error {
	return r.functionInvoker.InvokeAsync(ctx, arn, payload)
}

// Enqueue invokes a function asynchronously for the calling service: the event is durable when
// it returns and runs later with Lambda's retries, destinations and dead-letter queue (S3
// notifications, SNS, EventBridge and Scheduler may use it in place of InvokeAsync, which runs
// the function within their own delivery).
func (f functionInvoker) Enqueue(ctx context.Context, arn string, payload []byte) error {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 {
		return fmt.Errorf("%q is not a function ARN", arn)
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "Invoke",
		Principal: &request.Principal{Account: parts[4], ARN: f.service, UserID: f.service}})
	return f.fns.Enqueue(ctx, arn, payload)
}

// functionPeers are the services Lambda sends to, polls and logs to, in process: SQS (event
// source mappings, destinations, dead-letter queues), SNS and EventBridge (destinations) and
// CloudWatch Logs. Those built after Lambda are set once they are.
type functionPeers struct {
	tokens  *sts.Service
	objects *s3.Service
	queues  *sqs.Service
	topics  *sns.Service
	events  *events.Service
	logs    *logs.Service
	streams tableStreams // DynamoDB Streams for event source mappings (functionstreams.go)
	metrics *cloudwatch.Service
}

// asAccount is a context acting as the owner of the resource named by arn, as a service does.
func asAccount(ctx context.Context, arn string) context.Context {
	acct := ""
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		acct = parts[4]
	}
	return request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda",
		Principal: &request.Principal{Account: acct, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
}

// SendMessage sends a destination record or a dead letter to a queue.
func (p *functionPeers) SendMessage(ctx context.Context, queueARN, body string, attrs map[string]lambda.MessageAttribute) error {
	var ma map[string]sqs.MessageAttributeValue
	if len(attrs) > 0 {
		ma = map[string]sqs.MessageAttributeValue{}
		for k, a := range attrs {
			v := a.StringValue
			ma[k] = sqs.MessageAttributeValue{DataType: a.DataType, StringValue: &v}
		}
	}
	_, err := p.queues.Enqueue(asAccount(ctx, queueARN), queueARN, body, ma, "", "")
	return err
}

// Publish sends a destination record or a dead letter to a topic.
func (p *functionPeers) Publish(ctx context.Context, topicARN, message string, attrs map[string]lambda.MessageAttribute) error {
	if p.topics == nil {
		return fmt.Errorf("no SNS to publish to %s", topicARN)
	}
	in := &sns.PublishInput{TopicArn: topicARN, Message: &message}
	if len(attrs) > 0 {
		in.MessageAttributes = map[string]sns.MessageAttributeValue{}
		for k, a := range attrs {
			v := a.StringValue
			in.MessageAttributes[k] = sns.MessageAttributeValue{DataType: a.DataType, StringValue: &v}
		}
	}
	_, err := p.topics.Publish(asAccount(ctx, topicARN), in)
	return err
}

// PutEvent sends a destination record to an event bus.
func (p *functionPeers) PutEvent(ctx context.Context, busARN, source, detailType, detail string) error {
	if p.events == nil {
		return fmt.Errorf("no EventBridge to put to %s", busARN)
	}
	return p.events.PutEvent(asAccount(ctx, busARN), busARN, source, detailType, detail)
}

// QueueInfo reads what an event source mapping needs of its queue.
func (p *functionPeers) QueueInfo(ctx context.Context, queueARN string) (lambda.QueueInfo, error) {
	parts := strings.Split(queueARN, ":")
	if len(parts) != 6 {
		return lambda.QueueInfo{}, fmt.Errorf("%q is not a queue ARN", queueARN)
	}
	out, err := p.queues.GetQueueAttributes(asAccount(ctx, queueARN), &sqs.GetQueueAttributesInput{QueueUrl: "/" + parts[4] + "/" + parts[5],
		AttributeNames: []string{"VisibilityTimeout", "FifoQueue"}})
	if err != nil {
		return lambda.QueueInfo{}, err
	}
	vt, _ := strconv.Atoi(out.Attributes["VisibilityTimeout"])
	return lambda.QueueInfo{VisibilityTimeout: vt, FIFO: out.Attributes["FifoQueue"] == "true"}, nil
}

// Poll long-polls a queue for an event source mapping.
func (p *functionPeers) Poll(ctx context.Context, queueARN string, max int, wait time.Duration) ([]lambda.QueueMessage, error) {
	msgs, err := p.queues.Poll(asAccount(ctx, queueARN), queueARN, max, wait, 0)
	if err != nil {
		return nil, err
	}
	out := make([]lambda.QueueMessage, len(msgs))
	for i, m := range msgs {
		q := lambda.QueueMessage{MessageID: m.MessageId, ReceiptHandle: m.ReceiptHandle, Body: m.Body, MD5OfBody: m.MD5OfBody,
			Attributes: m.Attributes}
		if len(m.MessageAttributes) > 0 {
			q.MessageAttributes = map[string]lambda.QueueMessageAttribute{}
			for k, a := range m.MessageAttributes {
				qa := lambda.QueueMessageAttribute{StringValue: a.StringValue, BinaryValue: a.BinaryValue, DataType: a.DataType,
					StringListValues: a.StringListValues, BinaryListValues: [][]byte{}}
				if qa.StringListValues == nil {
					qa.StringListValues = []string{}
				}
				for _, b := range a.BinaryListValues {
					qa.BinaryListValues = append(qa.BinaryListValues, b)
				}
				q.MessageAttributes[k] = qa
			}
		}
		out[i] = q
	}
	return out, nil
}

// Ack deletes messages an event source mapping has processed.
func (p *functionPeers) Ack(ctx context.Context, queueARN string, handles []string) error {
	return p.queues.Ack(asAccount(ctx, queueARN), queueARN, handles)
}

// Append writes function log lines.
func (p *functionPeers) Append(ctx context.Context, account, group, stream string, events []lambda.LogEvent) error {
	if p.logs == nil {
		return nil
	}
	out := make([]logs.Event, len(events))
	for i, e := range events {
		out[i] = logs.Event{Time: e.Time, Message: e.Message}
	}
	return p.logs.Append(ctx, account, group, stream, out)
}

// AssumeRole issues a function's execution-role credentials as Lambda does: the service principal
// lambda.amazonaws.com assumes the role, which its trust policy must allow.
func (p *functionPeers) AssumeRole(ctx context.Context, account, roleARN, sessionName string) (lambda.RoleCredentials, error) {
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "sts", Operation: "AssumeRole",
		Principal: &request.Principal{Account: account, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
	out, err := p.tokens.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: sessionName, DurationSeconds: 3600})
	if err != nil {
		return lambda.RoleCredentials{}, err
	}
	c := out.Credentials
	return lambda.RoleCredentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expiration}, nil
}

// ReadObject reads a function's code zip from S3 as the function's account (up to max bytes).
func (p *functionPeers) ReadObject(ctx context.Context, account, bucket, key, versionID string, max int64) ([]byte, error) {
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "s3", Operation: "GetObject",
		Principal: &request.Principal{Account: account, ARN: "lambda.amazonaws.com", UserID: "lambda.amazonaws.com"}})
	q := url.Values{}
	if versionID != "" {
		q.Set("versionId", versionID)
	}
	out, err := p.objects.GetObject(ctx, &s3.ObjectInput{Bucket: bucket, Key: key, Header: http.Header{}, Query: q})
	if err != nil {
		return nil, err
	}
	if out.Body == nil {
		return []byte{}, nil
	}
	if c, ok := out.Body.(io.Closer); ok {
		defer c.Close()
	}
	b, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("the object is larger than %d bytes", max)
	}
	return b, err
}
