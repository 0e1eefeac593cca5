netsh ipsec static add policy name=OldPolicyName
netsh ipsec static add filterlist name=OldListName
netsh ipsec static add filter filterlist=OldListName srcaddr=me dstaddr=10.20.0.1
netsh ipsec static add filteraction name=OldActionName action=block
netsh ipsec static add rule name=OldRuleName policy=OldPolicyName filterlist=OldListName filteraction=OldActionName
netsh ipsec static set filteraction name=OldActionName newname=NewActionName description="Updated filter action" qmpfs=yes inpass=no soft=no action=negotiate qmsecmethods="AES256-SHA1;AES128-SHA256"
netsh ipsec static set filterlist name=OldListName newname=NewListName description="Updated filter list"
netsh ipsec static set policy name=OldPolicyName newname=NewPolicyName description="Updated policy" mmpfs=no qmpermm=0 mmlifetime=600 activatedefaultrule=yes pollinginterval=1200 assign=yes mmsecmethods="AES256-SHA1 DHGroup14;AES128-SHA256 DHGroup2"
netsh ipsec static set rule name=OldRuleName policy=NewPolicyName newname=NewRuleName description="Updated rule" filterlist=NewListName filteraction=NewActionName conntype=all activate=yes psk=mySecureKey
