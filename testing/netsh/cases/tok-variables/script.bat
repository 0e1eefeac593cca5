netsh ipsec static add filter filterlist=MBB_%1 srcaddr=%2 dstaddr=Me
netsh ipsec static add filteraction name=%ACTION% action=block
for %%i in (1 2) do netsh ipsec static add filter filterlist=L srcaddr=%%i dstaddr=me
netsh ipsec static add policy name=!pol! assign=yes
netsh ipsec static add policy name=$policyName
netsh ipsec static add filter filterlist=L srcaddr=<HOST> dstaddr=me
netsh interface portproxy add v4tov4 listenport=[lport] connectaddress=10.0.0.1
netsh ipsec static add policy name=Fine
