@echo off
set LOG=%TEMP%\ipsec.log
set NIC="Local Area Connection"
echo Configuring IPsec...
netsh interface ip set address name=%NIC% static 10.0.0.5 255.255.255.0
netsh ipsec static add policy name=P assign=no
netsh ipsec static add filteraction name=B action=block
netsh ipsec static add filter filterlist=L srcaddr=any dstaddr=me protocol=tcp dstport=3389
netsh ipsec static add rule name=R policy=P filterlist=L filteraction=B
netsh ipsec static show all >> %LOG%
