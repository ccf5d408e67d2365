// Package deploy is `gureum deploy`, run as gureum-deploy (cmd/gureum-deploy): it packages a
// CloudFormation or SAM template's local code into S3, deploys it through a change set and follows
// the stack's events to the end, the way `sam deploy` does, as a client of a running gureum
// through aws-sdk-go-v2 (a binary of its own so that the server does not link the SDK's clients).
package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
)

// Options are gureum deploy's flags.
type Options struct {
	Template, StackName  string
	Parameters           []string // K=V
	Capabilities         []string
	Bucket, Prefix       string
	Endpoint, Region     string
	NoExecute            bool
	Poll                 time.Duration // how often events are read
	Tags                 []string      // K=V
	DisableRollback      bool
	FailOnEmptyChangeSet bool
}

// Main runs gureum-deploy with its arguments (without the program name).
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o Options
	cmd := &cobra.Command{
		Use:   "gureum deploy --template FILE --stack-name NAME",
		Short: "Package a template's local code into S3, deploy it through a change set and follow the stack's events",
		Long: `Deploy a CloudFormation or SAM template to a running gureum, the way sam deploy does: local paths in
CodeUri, ContentUri (SAM) and Code, Content (AWS::Lambda) are uploaded to an S3 bucket (a directory
zipped, a file as it is; --s3-bucket, else gureum-deploy-ACCOUNT-REGION, made when missing), the
template rewritten to name them, a change set made (CREATE or UPDATE) and executed, and the stack's
events printed until it settles; then its outputs. It exits non-zero when the deployment fails or
rolls back. The server is --endpoint, else $GUREUM_ENDPOINT, $AWS_ENDPOINT_URL or
http://127.0.0.1:4566; the credentials are AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the
profile's in ~/.aws/credentials).`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := New(o, getenv, stdout)
			if err != nil {
				return err
			}
			return d.Run(cmd.Context())
		},
	}
	cmd.SetArgs(expandLists(args))
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	fl := cmd.Flags()
	fl.StringVarP(&o.Template, "template", "t", "template.yaml", "the template file")
	fl.StringVar(&o.StackName, "stack-name", "", "the stack to create or update")
	fl.StringArrayVar(&o.Parameters, "parameter-overrides", nil, "parameters as Key=Value, one an argument (--parameter-overrides A=1 B=2) or space-separated in one")
	fl.StringSliceVar(&o.Capabilities, "capabilities", []string{"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}, "capabilities the change set acknowledges")
	fl.StringVar(&o.Bucket, "s3-bucket", "", "the bucket for the packaged code (default gureum-deploy-ACCOUNT-REGION, made when missing)")
	fl.StringVar(&o.Prefix, "s3-prefix", "", "a prefix for the packaged code's keys")
	fl.StringVar(&o.Endpoint, "endpoint", "", "gureum's URL (default $GUREUM_ENDPOINT, $AWS_ENDPOINT_URL or http://127.0.0.1:4566)")
	fl.StringVar(&o.Region, "region", "", "region (default $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)")
	fl.BoolVar(&o.NoExecute, "no-execute", false, "make the change set and print it, but do not execute it")
	fl.StringArrayVar(&o.Tags, "tags", nil, "stack tags as Key=Value, as --parameter-overrides")
	fl.BoolVar(&o.DisableRollback, "disable-rollback", false, "leave the resources of a failed deployment in place")
	fl.BoolVar(&o.FailOnEmptyChangeSet, "fail-on-empty-changeset", false, "exit non-zero when there is nothing to change")
	fl.DurationVar(&o.Poll, "poll", 500*time.Millisecond, "how often the stack's events are read")
	_ = fl.MarkHidden("poll")
	_ = cmd.MarkFlagRequired("stack-name")
	return cmd.ExecuteContext(ctx)
}

// Deployer deploys one template to one stack.
type Deployer struct {
	o      Options
	cfg    aws.Config
	cfn    *cloudformation.Client
	s3     *s3.Client
	out    io.Writer
	params []cfntypes.Parameter
	tags   []cfntypes.Tag
}

// ErrFailed is the error of a deployment that failed or rolled back.
var ErrFailed = errors.New("deployment failed")

// New checks the options and makes the clients.
func New(o Options, getenv func(string) string, out io.Writer) (*Deployer, error) {
	if o.StackName == "" {
		return nil, errors.New("--stack-name is required")
	}
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	cfg, err := Config(o.Endpoint, o.Region, getenv)
	if err != nil {
		return nil, err
	}
	d := &Deployer{o: o, cfg: cfg, out: out,
		cfn: cloudformation.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(so *s3.Options) { so.UsePathStyle = true })}
	for _, kv := range splitPairs(o.Parameters) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--parameter-overrides %q: want Key=Value", kv)
		}
		d.params = append(d.params, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	for _, kv := range splitPairs(o.Tags) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--tags %q: want Key=Value", kv)
		}
		d.tags = append(d.tags, cfntypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return d, nil
}

// listFlags take several values after one flag, as the AWS CLI's do: --capabilities A B.
var listFlags = map[string]bool{"--parameter-overrides": true, "--capabilities": true, "--tags": true}

// expandLists repeats a list flag before each of the values that follow it up to the next flag,
// so that pflag reads --parameter-overrides A=1 B=2 as the AWS CLI does.
func expandLists(args []string) []string {
	var out []string
	flag := ""
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "-"):
			flag = ""
			if listFlags[a] {
				flag = a
				out = append(out, a)
				continue
			}
		case flag != "" && len(out) > 0 && out[len(out)-1] != flag:
			out = append(out, flag)
		}
		out = append(out, a)
	}
	return out
}

// splitPairs splits a value given as one space-separated argument ("A=1 B=2", as sam deploy takes
// them) into pairs when each of its words is one; otherwise the value is one pair ("A=hello world").
func splitPairs(vs []string) []string {
	var out []string
	for _, v := range vs {
		words := strings.Fields(v)
		all := len(words) > 0
		for _, w := range words {
			all = all && strings.Contains(w, "=")
		}
		if all {
			out = append(out, words...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// Config is the SDK configuration for a gureum endpoint with the environment's credentials.
func Config(endpoint, region string, getenv func(string) string) (aws.Config, error) {
	endpoint = firstOf(endpoint, getenv("GUREUM_ENDPOINT"), getenv("AWS_ENDPOINT_URL"), "http://127.0.0.1:4566")
	region = firstOf(region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), "us-east-1")
	id, secret, token := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")
	if id == "" || secret == "" {
		id, secret, token = profileCredentials(getenv)
	}
	if id == "" || secret == "" {
		id, secret, token = getenv("GUREUM_ROOT_ACCESS_KEY_ID"), getenv("GUREUM_ROOT_SECRET_ACCESS_KEY"), ""
	}
	if id == "" || secret == "" {
		return aws.Config{}, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials (gureum server prints the root key at first start)")
	}
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, token),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Timeout: 2 * time.Minute},
	}, nil
}

// profileCredentials reads the keys of AWS_PROFILE (else default) from the shared credentials
// file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials).
func profileCredentials(getenv func(string) string) (id, secret, token string) {
	path := getenv("AWS_SHARED_CREDENTIALS_FILE")
	if path == "" {
		home := getenv("HOME")
		if home == "" {
			return "", "", ""
		}
		path = filepath.Join(home, ".aws", "credentials")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", ""
	}
	want := firstOf(getenv("AWS_PROFILE"), "default")
	var section string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section != want {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			id = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(v)
		case "aws_session_token":
			token = strings.TrimSpace(v)
		}
	}
	return id, secret, token
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Run packages, deploys and reports; it returns ErrFailed (wrapped) when the stack did not reach
// a complete status.
func (d *Deployer) Run(ctx context.Context) error {
	body, err := os.ReadFile(d.o.Template)
	if err != nil {
		return err
	}
	bucket, err := d.bucket(ctx)
	if err != nil {
		return err
	}
	packaged, err := packageTemplate(ctx, body, filepath.Dir(d.o.Template), bucket, d.put(bucket))
	if err != nil {
		return err
	}
	return d.Deploy(ctx, string(packaged), bucket)
}

// bucket is the artifacts bucket, made when missing.
func (d *Deployer) bucket(ctx context.Context) (string, error) {
	name := d.o.Bucket
	if name == "" {
		id, err := sts.NewFromConfig(d.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", fmt.Errorf("finding the account (is gureum running at %s?): %w", aws.ToString(d.cfg.BaseEndpoint), err)
		}
		name = "gureum-deploy-" + aws.ToString(id.Account) + "-" + d.cfg.Region
	}
	if _, err := d.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		return name, nil
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if d.cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(d.cfg.Region)}
	}
	if _, err := d.s3.CreateBucket(ctx, in); err != nil && !isCode(err, "BucketAlreadyOwnedByYou") {
		return "", fmt.Errorf("making the bucket %s: %w", name, err)
	}
	fmt.Fprintf(d.out, "Made the bucket %s for the packaged code\n", name)
	return name, nil
}

// put uploads an artifact unless an object of the same key (the same bytes) is there already.
func (d *Deployer) put(bucket string) uploader {
	return func(ctx context.Context, key string, body []byte) error {
		key = d.o.Prefix + key
		if _, err := d.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
			return nil
		}
		_, err := d.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err == nil {
			fmt.Fprintf(d.out, "Uploaded s3://%s/%s (%d bytes)\n", bucket, key, len(body))
		}
		return err
	}
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// templateBodyLimit is CreateChangeSet's TemplateBody limit; a larger template goes through S3.
const templateBodyLimit = 51200

// Deploy creates the change set for a packaged template, executes it and follows the stack.
func (d *Deployer) Deploy(ctx context.Context, template, bucket string) error {
	name := d.o.StackName
	typ, err := d.changeSetType(ctx)
	if err != nil {
		return err
	}
	in := &cloudformation.CreateChangeSetInput{StackName: aws.String(name), ChangeSetType: typ, Parameters: d.params, Tags: d.tags,
		ChangeSetName: aws.String("gureum-deploy-" + strconv.FormatInt(time.Now().UnixNano(), 36)),
		Description:   aws.String("Created by gureum deploy")}
	for _, c := range d.o.Capabilities {
		in.Capabilities = append(in.Capabilities, cfntypes.Capability(c))
	}
	if len(template) > templateBodyLimit && bucket != "" {
		key := d.o.Prefix + name + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ".template"
		if _, err := d.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(template)}); err != nil {
			return err
		}
		in.TemplateURL = aws.String(strings.TrimSuffix(aws.ToString(d.cfg.BaseEndpoint), "/") + "/" + bucket + "/" + key)
	} else {
		in.TemplateBody = aws.String(template)
	}
	cs, err := d.cfn.CreateChangeSet(ctx, in)
	if err != nil {
		return fmt.Errorf("CreateChangeSet: %w", err)
	}
	desc, err := d.waitChangeSet(ctx, aws.ToString(cs.Id))
	if err != nil {
		return err
	}
	if desc.Status == cfntypes.ChangeSetStatusFailed {
		reason := aws.ToString(desc.StatusReason)
		if empty(reason) {
			_, _ = d.cfn.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: cs.Id})
			fmt.Fprintf(d.out, "No changes to deploy: stack %s is up to date\n", name)
			if d.o.FailOnEmptyChangeSet {
				return fmt.Errorf("no changes to deploy")
			}
			return d.printOutputs(ctx)
		}
		return fmt.Errorf("the change set failed: %s", reason)
	}
	d.printChanges(desc)
	if d.o.NoExecute {
		fmt.Fprintf(d.out, "Change set %s made, not executed (--no-execute)\n", aws.ToString(cs.Id))
		return nil
	}
	last, err := d.lastEvent(ctx, aws.ToString(cs.StackId))
	if err != nil {
		return err
	}
	if _, err := d.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id,
		DisableRollback: aws.Bool(d.o.DisableRollback)}); err != nil {
		return fmt.Errorf("ExecuteChangeSet: %w", err)
	}
	st, err := d.follow(ctx, aws.ToString(cs.StackId), last)
	if err != nil {
		return err
	}
	status := string(st.StackStatus)
	if status != "CREATE_COMPLETE" && status != "UPDATE_COMPLETE" {
		return fmt.Errorf("%w: stack %s is %s (%s)", ErrFailed, name, status, aws.ToString(st.StackStatusReason))
	}
	fmt.Fprintf(d.out, "Successfully deployed stack %s (%s)\n", name, status)
	d.outputs(st)
	return nil
}

// empty says whether a failed change set's reason is that nothing changes.
func empty(reason string) bool {
	return strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed")
}

// changeSetType is CREATE for a new stack (deleting one left in ROLLBACK_COMPLETE, which can
// only be deleted) and UPDATE otherwise.
func (d *Deployer) changeSetType(ctx context.Context) (cfntypes.ChangeSetType, error) {
	st, err := d.stack(ctx, d.o.StackName)
	if err != nil {
		return "", err
	}
	switch {
	case st == nil || st.StackStatus == cfntypes.StackStatusReviewInProgress:
		return cfntypes.ChangeSetTypeCreate, nil
	case st.StackStatus == cfntypes.StackStatusRollbackComplete:
		fmt.Fprintf(d.out, "Stack %s is ROLLBACK_COMPLETE after a failed create: deleting it to create it again\n", d.o.StackName)
		if _, err := d.cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: st.StackId}); err != nil {
			return "", err
		}
		for {
			st, err := d.stack(ctx, aws.ToString(st.StackId))
			if err != nil {
				return "", err
			}
			if st == nil || st.StackStatus == cfntypes.StackStatusDeleteComplete {
				return cfntypes.ChangeSetTypeCreate, nil
			}
			if st.StackStatus == cfntypes.StackStatusDeleteFailed {
				return "", fmt.Errorf("deleting stack %s: %s", d.o.StackName, aws.ToString(st.StackStatusReason))
			}
			if err := sleep(ctx, d.o.Poll); err != nil {
				return "", err
			}
		}
	case strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS"):
		return "", fmt.Errorf("stack %s is %s: wait for it to finish", d.o.StackName, st.StackStatus)
	}
	return cfntypes.ChangeSetTypeUpdate, nil
}

// stack describes a stack, or nil when there is none.
func (d *Deployer) stack(ctx context.Context, name string) (*cfntypes.Stack, error) {
	out, err := d.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		if isCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist") {
			return nil, nil
		}
		return nil, fmt.Errorf("DescribeStacks: %w", err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

func (d *Deployer) waitChangeSet(ctx context.Context, id string) (*cloudformation.DescribeChangeSetOutput, error) {
	for {
		desc, err := d.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("DescribeChangeSet: %w", err)
		}
		switch desc.Status {
		case cfntypes.ChangeSetStatusCreateComplete, cfntypes.ChangeSetStatusFailed:
			return desc, nil
		}
		if err := sleep(ctx, d.o.Poll/2); err != nil {
			return nil, err
		}
	}
}

func (d *Deployer) printChanges(desc *cloudformation.DescribeChangeSetOutput) {
	fmt.Fprintf(d.out, "Changes to stack %s:\n", d.o.StackName)
	for _, c := range desc.Changes {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		line := fmt.Sprintf("  %-8s %-40s %s", rc.Action, aws.ToString(rc.LogicalResourceId), aws.ToString(rc.ResourceType))
		if rc.Replacement == cfntypes.ReplacementTrue {
			line += " (replacement)"
		}
		fmt.Fprintln(d.out, line)
	}
}

// lastEvent is the id of the stack's newest event, where following its events starts.
func (d *Deployer) lastEvent(ctx context.Context, stackID string) (string, error) {
	out, err := d.cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)})
	if err != nil {
		return "", fmt.Errorf("DescribeStackEvents: %w", err)
	}
	if len(out.StackEvents) == 0 {
		return "", nil
	}
	return aws.ToString(out.StackEvents[0].EventId), nil
}

// follow prints the stack's events after the event last, oldest first, until the stack settles.
func (d *Deployer) follow(ctx context.Context, stackID, last string) (*cfntypes.Stack, error) {
	seen := map[string]bool{last: true}
	fmt.Fprintf(d.out, "Events of stack %s:\n", d.o.StackName)
	for {
		st, err := d.stack(ctx, stackID)
		if err != nil {
			return nil, err
		}
		if st == nil {
			return nil, fmt.Errorf("stack %s disappeared", d.o.StackName)
		}
		if err := d.printEvents(ctx, stackID, seen); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
			return st, nil
		}
		if err := sleep(ctx, d.o.Poll); err != nil {
			return nil, err
		}
	}
}

func (d *Deployer) printEvents(ctx context.Context, stackID string, seen map[string]bool) error {
	var fresh []cfntypes.StackEvent
	p := cloudformation.NewDescribeStackEventsPaginator(d.cfn, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)})
pages:
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("DescribeStackEvents: %w", err)
		}
		for _, e := range page.StackEvents { // newest first
			if seen[aws.ToString(e.EventId)] {
				break pages
			}
			fresh = append(fresh, e)
		}
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		seen[aws.ToString(e.EventId)] = true
		line := fmt.Sprintf("  %s  %-36s %-36s %s", aws.ToTime(e.Timestamp).UTC().Format("15:04:05"), e.ResourceStatus,
			aws.ToString(e.ResourceType), aws.ToString(e.LogicalResourceId))
		if r := aws.ToString(e.ResourceStatusReason); r != "" {
			line += "  " + r
		}
		fmt.Fprintln(d.out, line)
	}
	return nil
}

// printOutputs prints the outputs of the stack as it is.
func (d *Deployer) printOutputs(ctx context.Context) error {
	st, err := d.stack(ctx, d.o.StackName)
	if err != nil || st == nil {
		return err
	}
	d.outputs(st)
	return nil
}

func (d *Deployer) outputs(st *cfntypes.Stack) {
	if len(st.Outputs) == 0 {
		return
	}
	fmt.Fprintln(d.out, "Outputs:")
	for _, o := range st.Outputs {
		fmt.Fprintf(d.out, "  %s = %s\n", aws.ToString(o.OutputKey), aws.ToString(o.OutputValue))
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
