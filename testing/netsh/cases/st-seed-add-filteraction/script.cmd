netsh ipsec static add filteraction name=AllowTraffic description="Permit traffic without negotiation" qmpfs=no inpass=yes soft=no action=permit
netsh ipsec static add filterlist name=WebTrafficFilters description="Filters for managing web traffic"
