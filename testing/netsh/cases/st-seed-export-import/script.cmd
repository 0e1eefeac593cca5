netsh ipsec static exportpolicy file=C:\Policies\MyPolicy.txt
netsh ipsec static importpolicy file=./ipsec.ipsec
netsh ipsec static set batch mode=enable
netsh ipsec static set store location=local
netsh ipsec static restorepolicyexamples release=win2003
