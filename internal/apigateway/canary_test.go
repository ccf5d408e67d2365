package apigateway_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gureum/gureum/internal/gureumtest"
)

// versionedAPI is GET /v (MOCK) answering {"v":"<version>","color":"$stageVariables.color"}.
func versionedAPI(t *testing.T, c *apigateway.Client) (apiID, resourceID string) {
	t.Helper()
	api := must(c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("canary"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}}))
	res := must(c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("v")}))
	must(c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}))
	must(c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	must(c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}))
	setVersion(t, c, *api.Id, *res.Id, "1")
	return *api.Id, *res.Id
}

func setVersion(t *testing.T, c *apigateway.Client, apiID, resID, v string) {
	t.Helper()
	must(c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &resID, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"v":"` + v + `","color":"$stageVariables.color"}`}}))
}

// TestCanary: a deployment made with canarySettings takes its share of the stage's traffic, with
// its stage variable overrides; promoting it moves all traffic.
func TestCanary(t *testing.T) {
	each(t, func(t *testing.T, c *apigateway.Client, srv *gureumtest.Server) {
		id, res := versionedAPI(t, c)
		must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod"), Variables: map[string]string{"color": "blue"}}))
		setVersion(t, c, id, res, "2")
		if _, err := c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("nostage"),
			CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 10}}); code(err) != "BadRequestException" {
			t.Errorf("CreateDeployment(canary on a missing stage) = %v; want BadRequestException", err)
		}
		dep := must(c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod"),
			CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 25, StageVariableOverrides: map[string]string{"color": "green"}}}))
		st := must(c.GetStage(bg, &apigateway.GetStageInput{RestApiId: &id, StageName: aws.String("prod")}))
		if st.CanarySettings == nil || *st.CanarySettings.DeploymentId != *dep.Id || st.CanarySettings.PercentTraffic != 25 || *st.DeploymentId == *dep.Id {
			t.Fatalf("GetStage after a canary deployment = %+v %+v", st, st.CanarySettings)
		}
		const n = 800
		count := map[string]int{}
		for range n {
			status, _, body := call(t, srv, "GET", id, "prod/v", "", "")
			if status != 200 {
				t.Fatalf("GET /v = %d %s", status, body)
			}
			count[body]++
		}
		canary, base := count[`{"v":"2","color":"green"}`], count[`{"v":"1","color":"blue"}`]
		if canary+base != n {
			t.Fatalf("answers %v; want only the base (v1, blue) and the canary (v2, green)", count)
		}
		// 25% of 800 is 200 with a standard deviation of 12.2: 140..260 is ±4.9 deviations.
		if share := float64(canary) / n; share < 0.175 || share > 0.325 {
			t.Fatalf("canary took %d of %d requests (%.1f%%); want about 25%%", canary, n, share*100)
		}
		t.Logf("canary share: %d of %d (%.1f%%)", canary, n, float64(canary)*100/n)

		// Promote: the stage takes the canary's deployment and variables, the canary goes.
		must(c.UpdateStage(bg, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
			{Op: types.OpCopy, From: aws.String("/canarySettings/deploymentId"), Path: aws.String("/deploymentId")},
			{Op: types.OpCopy, From: aws.String("/canarySettings/stageVariableOverrides"), Path: aws.String("/variables")},
			{Op: types.OpRemove, Path: aws.String("/canarySettings")},
		}}))
		for range 20 {
			if _, _, body := call(t, srv, "GET", id, "prod/v", "", ""); body != `{"v":"2","color":"green"}` {
				t.Fatalf("after promotion: %s; want v2 green", body)
			}
		}
		must(c.FlushStageCache(bg, &apigateway.FlushStageCacheInput{RestApiId: &id, StageName: aws.String("prod")}))
		must(c.FlushStageAuthorizersCache(bg, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: &id, StageName: aws.String("prod")}))
		if _, err := c.FlushStageCache(bg, &apigateway.FlushStageCacheInput{RestApiId: &id, StageName: aws.String("nope")}); code(err) != "NotFoundException" {
			t.Errorf("FlushStageCache(missing stage) = %v; want NotFoundException", err)
		}
	})
}
