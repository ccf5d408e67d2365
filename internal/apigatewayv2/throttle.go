package apigatewayv2

import (
	"time"

	"github.com/gureum/gureum/internal/apigateway/throttle"
)

// throttle applies the stage's limit for the route, a bucket per route (its own route settings,
// else the stage's default route settings), then the account's.
func (s *Service) throttle(api *cachedAPI, ss *servedStage, route *Route, now time.Time) *gatewayError {
	rs, key := ss.stage.DefaultRouteSettings, "stage:"+api.doc.API.APIID+"/"+ss.stage.StageName+"/"+route.RouteKey
	if own, ok := ss.stage.RouteSettings[route.RouteKey]; ok && (own.ThrottlingRateLimit != nil || own.ThrottlingBurstLimit != nil) {
		rs = &own
	}
	if rs != nil && (rs.ThrottlingRateLimit != nil || rs.ThrottlingBurstLimit != nil) {
		rate, burst := float64(throttle.AccountRate), throttle.AccountBurst
		if rs.ThrottlingRateLimit != nil {
			rate = *rs.ThrottlingRateLimit
		}
		if rs.ThrottlingBurstLimit != nil {
			burst = *rs.ThrottlingBurstLimit
		}
		if !s.limits.Allow(key, rate, burst, now) {
			return errThrottled
		}
	}
	if !s.limits.Allow("account:"+api.account, throttle.AccountRate, throttle.AccountBurst, now) {
		return errThrottled
	}
	return nil
}
