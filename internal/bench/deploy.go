package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/gureum/gureum/internal/deploy"
)

// The deploy workloads: `gureum deploy` of a small SAM app (a Python function behind an implicit
// REST API, and a queue) on a fresh stack, and an update of its code, beside the floor of making
// the same resources with direct API calls (CreateRole, CreateFunction, CreateQueue, the REST
// API's resource, method, integration and deployment, AddPermission) and of UpdateFunctionCode.

func deployCommand(o *Options, setup func(string) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Measure gureum deploy of a small SAM app beside the same resources made by direct API calls",
		Long: `Measure with aws-sdk-go-v2 on one server (SQLite): the time gureum deploy takes to create a small
SAM app (a Python function behind an implicit REST API, and a queue: packaging, upload, change set,
execution, events until CREATE_COMPLETE) and to update its code, beside the floor of making the same
resources with direct API calls and of one UpdateFunctionCode. The workloads take turns for --rounds
rounds; each figure is the median round. Events are read every 20 ms.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setup("deploy"); err != nil {
				return err
			}
			return RunDeploy(cmd.Context(), *o)
		},
	}
	cmd.Flags().IntVar(&o.Rounds, "rounds", 5, "rounds of each workload; each figure is the median round")
	return cmd
}

const deployBenchTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          QUEUE: !Ref Queue
      Events:
        Get:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  Api:
    Value: !Ref ServerlessRestApi
`

func deployBenchCode(round, version int) string {
	return fmt.Sprintf("def handler(event, context):\n    return {'statusCode': 200, 'body': 'round %d v%d'}\n", round, version)
}

// RunDeploy measures the deploy workloads and prints a table.
func RunDeploy(ctx context.Context, o Options) error {
	dir, err := os.MkdirTemp("", "gureum-bench-deploy")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const id, secret = "AKIAGUREUMBENCH00001", "bench-secret"
	cmd, endpoint, _, err := StartBinary(ctx, o.Binary, dir+"/sqlite", id, secret)
	if err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	env := map[string]string{"AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret}
	cfg, err := deploy.Config(endpoint, "us-east-1", func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	rounds := o.Rounds
	if rounds <= 0 {
		rounds = 5
	}
	var create, update, floorCreate, floorUpdate []time.Duration
	for r := 0; r < rounds; r++ {
		app := filepath.Join(dir, "app"+strconv.Itoa(r))
		if err := writeApp(app, deployBenchCode(r, 1)); err != nil {
			return err
		}
		run := func() (time.Duration, error) {
			d, err := deploy.New(deploy.Options{Template: filepath.Join(app, "template.yaml"), StackName: "bench-" + strconv.Itoa(r),
				Endpoint: endpoint, Region: "us-east-1", Capabilities: []string{"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"},
				Poll: 20 * time.Millisecond}, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				return 0, err
			}
			t0 := time.Now()
			err = d.Run(ctx)
			return time.Since(t0), err
		}
		d, err := run()
		if err != nil {
			return fmt.Errorf("round %d: gureum deploy (create): %w", r, err)
		}
		create = append(create, d)
		f, err := directCreate(ctx, cfg, r)
		if err != nil {
			return fmt.Errorf("round %d: direct calls: %w", r, err)
		}
		floorCreate = append(floorCreate, f)
		if err := os.WriteFile(filepath.Join(app, "src", "app.py"), []byte(deployBenchCode(r, 2)), 0o644); err != nil {
			return err
		}
		if d, err = run(); err != nil {
			return fmt.Errorf("round %d: gureum deploy (update): %w", r, err)
		}
		update = append(update, d)
		if f, err = directUpdate(ctx, cfg, r); err != nil {
			return fmt.Errorf("round %d: UpdateFunctionCode: %w", r, err)
		}
		floorUpdate = append(floorUpdate, f)
	}
	mid := func(ds []time.Duration) time.Duration {
		s := append([]time.Duration(nil), ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[len(s)/2]
	}
	var tbl table
	c, fc, u, fu := mid(create), mid(floorCreate), mid(update), mid(floorUpdate)
	tbl.add("deploy", "create: floor, the same resources by direct calls (9 calls)", ms(fc), "")
	tbl.add("deploy", "create: gureum deploy (function + queue + API, 7 resources)", fmt.Sprintf("%s (%.1f× the floor)", ms(c), float64(c)/float64(fc)), "")
	tbl.add("deploy", "code update: floor, UpdateFunctionCode", ms(fu), "")
	tbl.add("deploy", "code update: gureum deploy", fmt.Sprintf("%s (%.1f× the floor)", ms(u), float64(u)/float64(fu)), "")
	return tbl.print(o.Out)
}

// writeApp writes the bench's SAM app into dir.
func writeApp(dir, code string) error {
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(deployBenchTemplate), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte(code), 0o644)
}

func benchZip(code string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("app.py")
	w.Write([]byte(code))
	zw.Close()
	return b.Bytes()
}

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// directCreate makes what the SAM app's stack holds with direct calls and returns how long they
// took.
func directCreate(ctx context.Context, cfg aws.Config, r int) (time.Duration, error) {
	name := "direct-" + strconv.Itoa(r)
	iamc, lc, sc, ac := iam.NewFromConfig(cfg), lambda.NewFromConfig(cfg), sqs.NewFromConfig(cfg), apigateway.NewFromConfig(cfg)
	t0 := time.Now()
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name + "-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		return 0, err
	}
	q, err := sc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-queue")})
	if err != nil {
		return 0, err
	}
	fn, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312,
		Role: role.Role.Arn, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: benchZip(deployBenchCode(r, 1))},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"QUEUE": aws.ToString(q.QueueUrl)}}})
	if err != nil {
		return 0, err
	}
	api, err := ac.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name)})
	if err != nil {
		return 0, err
	}
	res, err := ac.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("hello")})
	if err != nil {
		return 0, err
	}
	if _, err := ac.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
		return 0, err
	}
	uri := "arn:aws:apigateway:" + cfg.Region + ":lambda:path/2015-03-31/functions/" + aws.ToString(fn.FunctionArn) + "/invocations"
	if _, err := ac.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: "AWS_PROXY", IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri)}); err != nil {
		return 0, err
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(name), StatementId: aws.String("api"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com")}); err != nil {
		return 0, err
	}
	if _, err := ac.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("Prod")}); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// directUpdate replaces the direct function's code.
func directUpdate(ctx context.Context, cfg aws.Config, r int) (time.Duration, error) {
	t0 := time.Now()
	_, err := lambda.NewFromConfig(cfg).UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("direct-" + strconv.Itoa(r)),
		ZipFile: benchZip(deployBenchCode(r, 2))})
	return time.Since(t0), err
}
